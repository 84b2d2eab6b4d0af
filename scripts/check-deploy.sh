#!/usr/bin/env bash
# Lints what deploy/ ships: the systemd unit with systemd-analyze (any
# warning fails), the Kubernetes manifests against the API's schemas with
# kubernetes-validate (PyPI, pinned, in the virtualenv scripts/check-api.sh
# makes), strictly.
#
#   bash scripts/check-deploy.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

venv=target/api-venv
[ -x "$venv/bin/python" ] || /usr/bin/python3 -m venv "$venv"
[ -x "$venv/bin/kubernetes-validate" ] || "$venv/bin/pip" install -q kubernetes-validate==1.37.0
cargo build --locked --bin pwproxy

echo "== deploy/systemd/pwproxy.service"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# verify insists that ExecStart's program exists: the one just built stands in.
sed "s|/usr/local/bin/pwproxy|$PWD/target/debug/pwproxy|" deploy/systemd/pwproxy.service >"$work/pwproxy.service"
systemd-analyze verify "$work/pwproxy.service" 2>"$work/verify.log" || { cat "$work/verify.log"; exit 1; }
if [ -s "$work/verify.log" ]; then
  cat "$work/verify.log"
  exit 1
fi
echo "ok"

echo "== deploy/kubernetes"
"$venv/bin/kubernetes-validate" --kubernetes-version 1.30.0 --strict --quiet deploy/kubernetes/*.yaml
echo "ok"
