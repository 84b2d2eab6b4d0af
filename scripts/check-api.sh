#!/usr/bin/env bash
# Contract checks against the real pwproxy binary on the fixture directory:
# the API document (GET /openapi.json) validates as OpenAPI 3.1, and
# schemathesis drives every documented operation with generated requests
# (valid and invalid), all of its checks on, and must find nothing. Both
# tools come from PyPI, pinned, into a virtualenv this script makes.
#
#   bash scripts/check-api.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH=$PATH:/usr/sbin

venv=target/api-venv
if [ ! -x "$venv/bin/st" ]; then
  /usr/bin/python3 -m venv "$venv"
  "$venv/bin/pip" install -q schemathesis==4.32.5 openapi-spec-validator==0.9.0
fi
cargo build --locked --bin pwproxy

free_port() { "$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
work=$(mktemp -d)
cleanup() {
  [ -n "${proxy:-}" ] && kill "$proxy" 2>/dev/null || true
  [ -f "$work/slapd/slapd.pid" ] && kill "$(cat "$work/slapd/slapd.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
ldap_port=$(free_port) ldaps_port=$(free_port) http_port=$(free_port)
bash tests/fixtures/openldap/start.sh "$work/slapd" "$ldap_port" "$ldaps_port"
cat >"$work/pwproxy.toml" <<TOML
[server]
listen = "127.0.0.1:$http_port"
# Room for the largest bulk the document allows (500 names of 256
# characters), so that a list over bulk.max_people gets its 400.
max_body_bytes = 1048576
[ldap]
url = "ldap://127.0.0.1:$ldap_port"
bind_dn = "cn=pwproxy,ou=services,dc=example,dc=org"
bind_password = "Service-Passw0rd!"
[directory]
users_base_dn = "ou=people,dc=example,dc=org"
[authorization]
admin_groups = ["cn=helpdesk,ou=groups,dc=example,dc=org"]
[auth]
token_secret = "api-check-secret-of-at-least-32-bytes-long"
[audit]
store = "sqlite:$work/audit.db"
[rate_limit]
# Generated requests fail authentication on purpose, many times.
failures_per_name = 1000000
failures_per_address = 1000000
TOML
RUST_LOG=warn ./target/debug/pwproxy serve --config "$work/pwproxy.toml" >/dev/null &
proxy=$!
base="http://127.0.0.1:$http_port"
"$venv/bin/python" - "$base" "$work" <<'PY'
import json, sys, time, urllib.request
base, work = sys.argv[1], sys.argv[2]
for _ in range(200):
    try:
        if urllib.request.urlopen(base + "/readyz").status == 200:
            break
    except Exception:
        time.sleep(0.05)
document = urllib.request.urlopen(base + "/openapi.json").read()
open(work + "/openapi.json", "wb").write(document)
request = urllib.request.Request(base + "/api/v1/auth/token", method="POST",
    data=json.dumps({"username": "helpdesk1", "password": "Initial-Passw0rd!"}).encode(),
    headers={"Content-Type": "application/json"})
open(work + "/token", "w").write(json.load(urllib.request.urlopen(request))["access_token"])
PY

echo "== the API document validates as OpenAPI 3.1"
"$venv/bin/openapi-spec-validator" "$work/openapi.json"

# Every check, everywhere, with one allowance: a typed password is judged by
# the password policy and the directory (length, history, blocklists, the
# person's own words, both fields equal), which no schema can say, so the
# two reset operations may answer a schema-valid body with 400.
cat >"$work/schemathesis.toml" <<'TOML'
[[operations]]
include-operation-id = ["persons_change_password", "users_change_password"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409", "429"]
TOML
echo "== schemathesis, every check"
"$venv/bin/st" --config-file "$work/schemathesis.toml" run "$work/openapi.json" --url "$base" --checks all \
  -H "Authorization: Bearer $(cat "$work/token")" \
  --max-examples 100 --seed 20261124 --no-color
