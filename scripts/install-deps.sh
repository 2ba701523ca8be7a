#!/usr/bin/env bash
# Installs what nbhub needs and is missing, on Debian/Ubuntu. Idempotent; quiet when all is present.
#   scripts/install-deps.sh          runtime: Node.js, Jupyter, npm packages, the build
#   scripts/install-deps.sh --test   also what the tests use: Chromium, PostgreSQL (running)
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

missing=()
command -v node >/dev/null || missing+=(nodejs npm)
command -v jupyter-notebook >/dev/null || command -v jupyter-lab >/dev/null || missing+=(jupyter-notebook python3-jupyter-server python3-ipykernel)
# Jupyter from Debian runs on the system Python, whatever python3 is first on PATH.
/usr/bin/python3 -c 'import ipykernel' 2>/dev/null || missing+=(python3-ipykernel)
if [ "${1:-}" = "--test" ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v pg_ctlcluster >/dev/null || missing+=(postgresql)
  [ -x /usr/bin/promtool ] || missing+=(prometheus)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then echo "nbhub needs Node.js 20 or newer (found $(node -v))" >&2; exit 1; fi

if [ "${1:-}" = "--test" ]; then
  # PostgreSQL for the store contract suite: start the cluster if it is down.
  if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # npm install, not npm ci: on these machines npm 11 writes a lock file without rollup's optional
  # platform packages (even when regenerated), and npm ci then refuses that lock file as out of sync.
  npm install --no-audit --no-fund --loglevel=error
fi
npm run --silent build
