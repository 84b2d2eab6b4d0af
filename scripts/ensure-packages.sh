#!/usr/bin/env bash
# Installs the Debian packages pwproxy's tests and demo need, if missing:
# OpenLDAP's slapd, its command-line tools and openssl (fixture certificates);
# with --samba also a Samba AD DC for the Active Directory tests, with --389ds
# a 389 Directory Server for its tests, with --redis a redis-server for the
# replica tests, with --smtp aiosmtpd for the mail tests, with --browser
# Chromium and chromedriver for the console's tests, with --api Python's venv for the API
# contract checks (scripts/check-api.sh), with --postgres PostgreSQL for the audit store's
# tests (a private cluster the tests start; the package brings initdb and the postgres user).
# Root installs directly; anyone else goes through sudo.
set -euo pipefail

missing=()
command -v slapd >/dev/null || [ -x /usr/sbin/slapd ] || missing+=(slapd)
command -v ldapadd >/dev/null || missing+=(ldap-utils)
command -v openssl >/dev/null || missing+=(openssl)
for extra in "$@"; do
  case "$extra" in
    --samba)
      command -v samba >/dev/null || [ -x /usr/sbin/samba ] || missing+=(samba samba-ad-dc krb5-user)
      # ip and unshare: the AD suite runs in a network namespace of its own.
      command -v ip >/dev/null || [ -x /usr/sbin/ip ] || missing+=(iproute2)
      command -v unshare >/dev/null || missing+=(util-linux)
      ;;
    --389ds)
      command -v dscreate >/dev/null || [ -x /usr/sbin/dscreate ] || missing+=(389-ds-base)
      # Free ports for the instance are found with python3.
      command -v python3 >/dev/null || missing+=(python3)
      ;;
    --deploy)
      # scripts/check-deploy.sh lints the systemd unit with systemd-analyze.
      command -v systemd-analyze >/dev/null || missing+=(systemd)
      ;;
    --redis)
      command -v redis-server >/dev/null || missing+=(redis-server)
      ;;
    --postgres)
      compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
      ;;
    --browser)
      # The console's browser tests: Debian's Chromium and its driver; npm
      # fetches axe-core (scripts/test.sh).
      [ -x /usr/bin/chromium ] || missing+=(chromium)
      [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
      command -v npm >/dev/null || missing+=(npm)
      ;;
    --smtp)
      # The mail tests' SMTP server: aiosmtpd, driven by tests/fixtures/smtp/server.py.
      /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || missing+=(python3 python3-aiosmtpd)
      ;;
    --api)
      # scripts/check-api.sh makes a virtualenv with Debian's python3.
      [ -x /usr/bin/python3 ] || missing+=(python3)
      dpkg -s python3-venv >/dev/null 2>&1 || missing+=(python3-venv)
      ;;
    *) dpkg -s "$extra" >/dev/null 2>&1 || missing+=("$extra") ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing: ${missing[*]}" >&2
# The package must not create a system database of its own: pwproxy's
# fixture runs slapd as a private process with its own configuration.
echo 'slapd slapd/no_configuration boolean true' | $sudo debconf-set-selections
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
