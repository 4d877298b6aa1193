#!/usr/bin/env bash
# Installs what the tests talk to, from Debian packages only (no browser or server downloads):
#   a Java 17 JDK (HermiT; javac for the OWL 2 DL profile check), chromium + chromium-driver (browser test), virtuoso-opensource (push test),
#   nginx-light and apache2 (the static publication's content-negotiation rules, run for real),
#   graphviz (dot draws the chain figure).
# The Oxigraph server comes from PyPI (pip install -e '.[test]').
#
# Idempotent: installs only what is missing and runs 'apt-get update' at most once.
# Virtuoso's packaged service never starts: a policy-rc.d that exits 101 is in place while
# the package installs (an existing one is kept), and the service is disabled afterwards.
# The tests run their own 'virtuoso-t -f -c <ini>' with a database under a temp directory.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "install-servers.sh: run as root or install sudo" >&2; exit 1; }
  SUDO="sudo"
fi

missing=()
{ command -v java >/dev/null && command -v javac >/dev/null; } || missing+=(default-jdk-headless)
command -v chromium >/dev/null || [ -x /usr/bin/chromium ] || missing+=(chromium)
command -v chromedriver >/dev/null || [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
command -v virtuoso-t >/dev/null || missing+=(virtuoso-opensource)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
[ -x /usr/sbin/apache2 ] || missing+=(apache2)
command -v dot >/dev/null || missing+=(graphviz)

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-servers.sh: everything is installed"
  exit 0
fi
echo "install-servers.sh: installing with apt-get the Debian packages the tests talk to: ${missing[*]}"

policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# datawork-kg CI: never start packaged services during install\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod 755 "$policy"
  made_policy=1
fi
cleanup() { if [ "$made_policy" = 1 ]; then $SUDO rm -f "$policy"; fi; }
trap cleanup EXIT

# Virtuoso's postinst asks for a dba password (noninteractive: none) and then fails to reach the
# server it was not allowed to start; its warning about that is expected and harmless. The tests
# never use the packaged database: they create their own, whose user is dba/dba.
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"

# Make sure the packaged services stay off (Virtuoso would listen on 1111/8890, nginx and Apache on
# port 80, all on every interface); the tests start their own instances on 127.0.0.1.
for svc in virtuoso-opensource-7 nginx apache2; do
  [ -e "/etc/init.d/$svc" ] || continue
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true
  else
    $SUDO "/etc/init.d/$svc" stop >/dev/null 2>&1 || true
    $SUDO update-rc.d "$svc" disable >/dev/null 2>&1 || true
  fi
done

for tool in java javac chromium chromedriver virtuoso-t /usr/sbin/nginx /usr/sbin/apache2 dot; do
  command -v "$tool" >/dev/null || [ -x "$tool" ] || { echo "install-servers.sh: $tool is still missing" >&2; exit 1; }
done
echo "install-servers.sh: done"
