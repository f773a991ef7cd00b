#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian 12 machine, then runs every test.
# Usage: scripts/test.sh [tap args...]   (e.g. scripts/test.sh test/raft/wal.test.ts)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/ensure-deps.sh
ensure_debian_packages
ensure_node_modules
npm run --silent gen
# tap compiles its plugin set on first use and that first run fails; build it up front.
npx tap build >/dev/null
echo "== typecheck"
npx tsc --noEmit -p .
echo "== tests"
if [ "$#" -gt 0 ]; then
  npx tap "$@"
else
  npx tap
fi
