#!/usr/bin/env bash
# Runs the whole test suite: type check, lint, unit, e2e (real PostgreSQL and Redis,
# in a database and key prefix the run creates and drops) and Chromium browser tests.
# Installs packages, starts missing services and installs Chromium first when needed.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

ensure_node
ensure_packages
ensure_services
ensure_chromium

say "Running the tests"
npm test
