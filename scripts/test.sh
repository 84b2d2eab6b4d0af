#!/usr/bin/env bash
# Runs every test: unit tests, integration tests that start real slapd
# processes, and the Active Directory suite against a real Samba AD DC in a
# network namespace of its own (the servers are installed here if missing).
# Extra arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-packages.sh --samba
PATH=$PATH:/usr/sbin cargo test --locked "$@"
bash tests/fixtures/samba/run-ad-suite.sh
