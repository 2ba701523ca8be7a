#!/usr/bin/env bash
# Quick start: install what is missing, build, and start the hub (SQLite in ./nbhub-data, local runtimes).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
exec bin/nbhub.js start "$@"
