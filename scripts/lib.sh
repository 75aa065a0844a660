# Shared steps of scripts/setup.sh and scripts/test.sh. Each checks before it acts.
# shellcheck shell=bash

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\n\033[31mStopped: %s\033[0m\n' "$*" >&2; exit 1; }
ts() { npx ts-node --transpile-only "$@"; }
is_root_debian() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }

ensure_node() {
  say "Checking Node.js"
  command -v node >/dev/null || die "Node.js is missing: install Node.js 20.19+ (or 22.12+) and npm, then run this again."
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' ||
    die "Node.js $(node --version) is too old: the portal needs 20.19 or newer."
}

ensure_packages() {
  say "Installing npm packages"
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  else
    echo "node_modules is up to date"
  fi
  [ -f .env ] || { cp .env.example .env; echo "created .env from .env.example"; }
}

start_postgres_debian() {
  if ! command -v pg_ctlcluster >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  local version hba
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  # A developer machine: local TCP connections without a password, as .env.example assumes.
  grep -q '^host all all 127.0.0.1/32 trust' "$hba" ||
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null ||
    pg_ctlcluster --skip-systemctl-redirect "$version" main reload
}

start_redis_debian() {
  if ! command -v redis-server >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  fi
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --maxmemory-policy noeviction \
    --dir /var/lib/redis --logfile /var/log/redis/ugyfelportal.log
}

ensure_services() {
  say "Checking PostgreSQL and Redis"
  local down
  down=$(ts scripts/services.ts check || true)
  if [ -n "$down" ]; then
    echo "not answering: $down"
    if is_root_debian; then
      if [[ "$down" == *postgres* ]]; then echo "starting PostgreSQL from Debian packages"; start_postgres_debian; fi
      if [[ "$down" == *redis* ]]; then echo "starting Redis from Debian packages"; start_redis_debian; fi
    elif command -v docker >/dev/null && docker info >/dev/null 2>&1; then
      echo "starting them with docker compose"
      docker compose up -d postgres redis mail
    else
      die "PostgreSQL and Redis must answer at DATABASE_URL and REDIS_URL (.env). Install them (Debian: apt-get install postgresql redis-server) or Docker ('docker compose up -d'), then run this again."
    fi
    for _ in $(seq 1 30); do
      down=$(ts scripts/services.ts check || true)
      [ -z "$down" ] && break
      sleep 1
    done
    [ -z "$down" ] || die "still not answering after 30 s: $down. Check DATABASE_URL and REDIS_URL in .env."
  fi
  ts scripts/services.ts redis-policy ||
    die "Redis refused maxmemory-policy noeviction; set it in redis.conf (BullMQ loses jobs otherwise)."
}

ensure_chromium() {
  say "Checking Chromium for the browser tests"
  if [ -x /usr/bin/chromium ]; then
    /usr/bin/chromium --version 2>/dev/null || echo "found /usr/bin/chromium"
  elif is_root_debian; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    die "Chromium is missing at /usr/bin/chromium: install it (Debian: apt-get install chromium), then run this again."
  fi
}
