#!/usr/bin/env bash
# Runs pwproxy against a demo OpenLDAP directory that this script sets up:
# the fixture the tests use (tests/fixtures/openldap), on 127.0.0.1:3389
# (ldap) and :3636 (ldaps), and pwproxy on http://127.0.0.1:8080.
# Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-packages.sh
export PATH=$PATH:/usr/sbin

demo_dir=$(mktemp -d -t pwproxy-demo.XXXXXX)
stop_directory() {
  [ -f "$demo_dir/slapd/slapd.pid" ] && kill "$(cat "$demo_dir/slapd/slapd.pid")" 2>/dev/null || true
  rm -rf "$demo_dir"
}
trap stop_directory EXIT

cargo build --release --locked
bash tests/fixtures/openldap/start.sh "$demo_dir/slapd" 3389 3636
echo "demo directory running (ldaps://127.0.0.1:3636, CA $demo_dir/slapd/ca.pem)"

cat <<'HELP'

pwproxy is starting on http://127.0.0.1:8080. Try, in another terminal:

  # look up alice's id, then reset her password with a Bearer token (seed 000)
  ID=$(ldapsearch -x -H ldap://127.0.0.1:3389 -D cn=pwproxy,ou=services,dc=example,dc=org \
       -w 'Service-Passw0rd!' -b ou=people,dc=example,dc=org '(uid=alice)' entryUUID | awk '/^entryUUID/ {print $2}')
  TOKEN=$(curl -s -X POST http://127.0.0.1:8080/api/v1/auth/token -H 'Content-Type: application/json' \
       -d '{"username": "helpdesk1", "password": "Initial-Passw0rd!"}' | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
  curl -s -X POST "http://127.0.0.1:8080/actions/persons/$ID/change-password" \
       -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
       -d '{"password": "newSecurePassword123", "password_2": "newSecurePassword123"}'

  # reset bob's password by name with the admin's password (seed 001)
  curl -s -X PUT http://127.0.0.1:8080/api/v1/users/changePassword -H 'Content-Type: application/json' \
       -d '{"userName": "bob", "password": "newTempPass4567", "adminPassword": "Initial-Passw0rd!", "adminUserName": "helpdesk1"}'

  # confirm: alice can now bind with her new password
  ldapwhoami -x -H ldap://127.0.0.1:3389 -D uid=alice,ou=people,dc=example,dc=org -w newSecurePassword123

  # what the helpdesk did to alice, from the audit trail (kept in the demo's temp folder)
  curl -s -H "Authorization: Bearer $TOKEN" 'http://127.0.0.1:8080/api/v1/audit?person=alice'

HELP

PWPROXY__LDAP__URL=ldaps://127.0.0.1:3636 \
PWPROXY__LDAP__CA_FILE="$demo_dir/slapd/ca.pem" \
PWPROXY__AUDIT__STORE="sqlite:$demo_dir/audit.db" \
  ./target/release/pwproxy serve --config config/demo.toml
