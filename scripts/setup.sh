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
# TypeORM's CLI prints every SQL statement; a newcomer needs one line per migration (all of it on failure).
migration_log=$(mktemp)
if npm run --silent migration:run >"$migration_log" 2>&1; then
  grep -E 'Migration .* has been +executed successfully|No migrations are pending' "$migration_log" | sed -E 's/ +/ /g; s/^/  /' || true
  rm -f "$migration_log"
else
  cat "$migration_log" >&2
  rm -f "$migration_log"
  exit 1
fi

say "Building the portal"
npm run --silent build

say "Loading demo data"
mkdir -p .run
npm run --silent demo:load | tee .run/demo-logins.txt

smtp_url=$(node -e 'require("dotenv").config({quiet:true}); process.stdout.write(process.env.SMTP_URL||"smtp://127.0.0.1:1025")')
if [[ "$smtp_url" == smtp://127.0.0.1:* || "$smtp_url" == smtp://localhost:* ]]; then
  smtp_port=${smtp_url##*:}
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$smtp_port") 2>/dev/null; then
    say "Starting the development mail catcher"
    nohup npx ts-node --transpile-only scripts/smtp-catcher.ts >.run/smtp-catcher.log 2>&1 &
    echo "mail catcher on port $smtp_port (log: .run/smtp-catcher.log, web view: http://127.0.0.1:1080)"
  fi
fi

# The local SimplePay sandbox, when a company's account points at one (the demo's does).
sandbox_url=$(node -e 'require("dotenv").config({quiet:true}); const a = Object.values(JSON.parse(process.env.SIMPLEPAY_ACCOUNTS || "{}")).find((x) => /^http:\/\/(127\.0\.0\.1|localhost):/.test(x.api)); process.stdout.write(a ? new URL(a.api).origin : "")')
if [ -n "$sandbox_url" ]; then
  sandbox_port=${sandbox_url##*:}
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$sandbox_port") 2>/dev/null; then
    say "Starting the local SimplePay sandbox"
    nohup npx ts-node --transpile-only scripts/simplepay-sandbox.ts >.run/simplepay-sandbox.log 2>&1 &
  fi
  echo "SimplePay sandbox (card payments of the demo): $sandbox_url (log: .run/simplepay-sandbox.log)"
fi

if [ "$start_portal" = 1 ]; then
  public_url=$(node -e 'require("dotenv").config({quiet:true}); process.stdout.write(process.env.PUBLIC_URL||"http://localhost:3000")')
  say "Starting the portal (logs: .run/portal.log)"
  node dist/src/main.js >.run/portal.log 2>&1 &
  portal=$!
  trap 'kill -TERM $portal 2>/dev/null; wait $portal' INT TERM
  for _ in $(seq 1 60); do
    node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$public_url/health/ready" && break
    kill -0 $portal 2>/dev/null || { tail -n 20 .run/portal.log; die "the portal stopped during start-up; see .run/portal.log"; }
    sleep 1
  done
  sed -n '/^Demo logins/,$p' .run/demo-logins.txt
  say "The portal runs at $public_url (mail catcher: http://127.0.0.1:1080). Ctrl+C stops it."
  wait $portal
fi
