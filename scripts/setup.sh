#!/usr/bin/env bash
# Installs what the portal needs, makes sure PostgreSQL and Redis run, creates and
# migrates the database, loads the demo data and starts the portal (ROLE=all).
# Running it again is harmless: every step checks before it acts.
#   bash scripts/setup.sh              set up and start the portal
#   bash scripts/setup.sh --no-start   set up only
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

start_portal=1
[ "${1:-}" = "--no-start" ] && start_portal=0

ensure_node
ensure_packages
ensure_services

say "Creating and migrating the database"
ts scripts/services.ts create-database
npm run --silent migration:run

say "Building the portal"
npm run --silent build

say "Loading demo data"
npm run --silent demo:load

smtp_url=$(node -e 'require("dotenv").config({quiet:true}); process.stdout.write(process.env.SMTP_URL||"smtp://127.0.0.1:1025")')
if [[ "$smtp_url" == smtp://127.0.0.1:* || "$smtp_url" == smtp://localhost:* ]]; then
  smtp_port=${smtp_url##*:}
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$smtp_port") 2>/dev/null; then
    say "Starting the development mail catcher"
    mkdir -p .run
    nohup npx ts-node --transpile-only scripts/smtp-catcher.ts >.run/smtp-catcher.log 2>&1 &
    echo "mail catcher on port $smtp_port (log: .run/smtp-catcher.log, web view: http://127.0.0.1:1080)"
  fi
fi

if [ "$start_portal" = 1 ]; then
  public_url=$(node -e 'require("dotenv").config({quiet:true}); process.stdout.write(process.env.PUBLIC_URL||"http://localhost:3000")')
  say "Starting the portal at $public_url (Ctrl+C stops it); demo logins are printed above"
  exec node dist/src/main.js
fi
