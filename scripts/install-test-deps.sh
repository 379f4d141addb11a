#!/usr/bin/env bash
# Installs what the test suite needs besides the product's tools (scripts/install-deps.sh):
# Debian's vagrant and its libvirt plugin, for the test that validates the Vagrantfile against a
# provider, python3, which sends the rogue router advertisement of test/security/rogue-ra, and
# zsh, in which test/e2e/setup-completion completes a command line with the installed _nslab,
# dnsmasq-base (the fake upstream and the bench's rival of the embedded DNS), bind9-dnsutils (dig)
# nftables (nft: test/e2e/doctor makes a firewalld table in its sandbox) and chromium (a real
# headless browser: test/e2e/diagram loads nslabd's --http page and watches it redraw).
# Idempotent; `npm test` runs it first.
set -euo pipefail
[ "$(id -u)" = 0 ] || exit 0 # the kernel tests need root anyway
bash "$(dirname "$0")/install-deps.sh"
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }
need=()
for p in vagrant vagrant-libvirt python3 zsh dnsmasq-base bind9-dnsutils nftables chromium; do installed "$p" || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing for the tests: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # No recommends: they would pull in the libvirt daemon, a mail server and udev, which the
  # test does not need (the plugin alone is enough for `vagrant validate`).
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
