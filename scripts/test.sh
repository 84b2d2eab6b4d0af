#!/usr/bin/env bash
# Runs every test: unit tests, integration tests that start real slapd
# processes, and the suites against a real Samba AD DC (in a network
# namespace of its own) and a real 389 Directory Server, side by side (the
# servers are installed here if missing; the audit store's tests start a
# private PostgreSQL cluster). Extra arguments go to the first
# `cargo test`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-packages.sh --samba --389ds --redis --smtp --browser --postgres
# axe-core, which the console's browser tests run in each page (pinned).
[ -f target/npm/node_modules/axe-core/axe.min.js ] ||
  npm install --prefix target/npm axe-core@4.14.1 --no-audit --no-fund --silent
PATH=$PATH:/usr/sbin cargo test --locked "$@"

# One build for both server suites; then each mostly waits on its server.
cargo test --locked --features server-suites --test ad --test ds389 --no-run
ds389_log=$(mktemp)
bash tests/fixtures/389ds/run-389ds-suite.sh >"$ds389_log" 2>&1 &
ds389=$!
status=0
bash tests/fixtures/samba/run-ad-suite.sh || status=$?
wait "$ds389" || status=$?
echo "== 389 Directory Server suite"
cat "$ds389_log"
rm -f "$ds389_log"
exit "$status"
