#!/usr/bin/env bash
# Runs the requests that README.md ("Try it") and docs/api.md show, exactly as
# written, against the demo setup (the fixture directory on 127.0.0.1:3389
# and :3636, pwproxy with config/demo.toml on :8080), a fresh directory for
# each file; every `# …` answer shown under a command must be in what the
# commands print ("…" ends a shown answer early).
#
#   bash scripts/check-docs.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH=$PATH:/usr/sbin
bash scripts/ensure-packages.sh
cargo build --locked --bin pwproxy

work=$(mktemp -d)
stop() {
  [ -n "${proxy:-}" ] && kill "$proxy" 2>/dev/null && wait "$proxy" 2>/dev/null || true
  [ -f "$work/slapd/slapd.pid" ] && kill "$(cat "$work/slapd/slapd.pid")" 2>/dev/null || true
  proxy=""
  sleep 0.5
}
trap 'stop; rm -rf "$work"' EXIT

# The ```sh blocks of $1 (only those after the heading $2, until the next
# heading of that level, when given).
blocks() {
  python3 - "$1" "${2:-}" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
if sys.argv[2]:
    start = text.index(sys.argv[2] + "\n")
    level = sys.argv[2].split(" ")[0]
    rest = text[start + len(sys.argv[2]):]
    end = re.search(r"^" + level + r" ", rest, re.M)
    text = rest[: end.start()] if end else rest
print("\n".join(re.findall(r"```sh\n(.*?)```", text, re.S)))
PY
}

for source in "README.md|## Try it" "docs/api.md|"; do
  file=${source%%|*} heading=${source#*|}
  stop
  rm -rf "$work/slapd"
  bash tests/fixtures/openldap/start.sh "$work/slapd" 3389 3636 >/dev/null
  rm -f "$work"/audit.db*
  PWPROXY__LDAP__URL=ldaps://127.0.0.1:3636 PWPROXY__LDAP__CA_FILE="$work/slapd/ca.pem" \
  PWPROXY__AUDIT__STORE="sqlite:$work/audit.db" \
    ./target/debug/pwproxy serve --config config/demo.toml >"$work/audit.log" 2>"$work/pwproxy.log" &
  proxy=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:8080/readyz >/dev/null && break; sleep 0.1; done
  blocks "$file" "$heading" >"$work/commands.sh"
  [ -s "$work/commands.sh" ] || { echo "no sh examples found in $file" >&2; exit 1; }
  echo "== $file: $(grep -c . "$work/commands.sh") lines of examples"
  output=$(bash -euo pipefail "$work/commands.sh" 2>&1) || { echo "$output"; echo "FAILED: the examples of $file" >&2; exit 1; }
  while IFS= read -r shown; do
    expected=${shown#\# }
    expected=${expected%%…*}
    if [[ "$output" != *"$expected"* ]]; then
      echo "$output"
      echo "FAILED: $file shows '$expected', which the commands did not print" >&2
      exit 1
    fi
  done < <(grep -E '^# [{d]' "$work/commands.sh")
  echo "ok"
done
