#!/usr/bin/env bash
# The whole test suite: installs what the tests need (Jupyter, Chromium, PostgreSQL running), then runs
# type checks, lint, unit and contract tests (SQLite and PostgreSQL), end-to-end and browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
# Machines set up like ours trust local connections; elsewhere, point NBHUB_TEST_PG_URL at a database
# where the user may CREATE DATABASE.
if [ -z "${NBHUB_TEST_PG_URL:-}" ] && ! psql "postgres://postgres@127.0.0.1:5432/test" -Atc 'select 1' >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  # A fresh Debian PostgreSQL allows only peer auth for its superuser: give it a password for 127.0.0.1.
  $SUDO -u postgres psql -qc "ALTER USER postgres PASSWORD 'nbhub-test'" 2>/dev/null || su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'nbhub-test'\""
  export NBHUB_TEST_PG_URL="postgres://postgres:nbhub-test@127.0.0.1:5432/postgres"
fi
npm run --silent typecheck
npm run --silent lint
npx vitest run "$@"
