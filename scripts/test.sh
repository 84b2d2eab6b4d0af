#!/usr/bin/env bash
# Runs every test: unit tests, and integration tests that start real slapd
# processes (installed here if missing). Extra arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-packages.sh
PATH=$PATH:/usr/sbin cargo test --locked "$@"
