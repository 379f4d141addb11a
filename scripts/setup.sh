#!/usr/bin/env bash
# README's first command: install what is missing, build, put nslab on the PATH, bring up the
# example lab ("docker0 by hand") and show what it built. Safe to run again.
#   NSLAB_NETNS=NAME   run the lab inside network namespace NAME (used by the tests)
#   NSLAB_NO_LAB=1     stop after installing
#   NSLAB_PREFIX=DIR   install the shell completion under DIR instead of / (scripts/install-completion.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
[ "$(id -u)" = 0 ] || { echo "setup.sh: run it as root (sudo scripts/setup.sh)" >&2; exit 2; }
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$major" -ge 20 ] || { echo "setup.sh: Node.js >= 20 is needed (found: $(node --version 2>/dev/null || echo none))" >&2; exit 2; }

echo "== system packages"
bash scripts/install-deps.sh

echo "== npm dependencies"
# npm ci writes node_modules/.package-lock.json; newer than the lock file means installed.
if [ ! node_modules/.package-lock.json -nt package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "== build"
if [ ! -f dist/nslab.js ] || [ -n "$(find src scripts/build.mjs tsconfig.json package.json -newer dist/nslab.js -print -quit)" ]; then
  npm run build --silent
fi
chmod +x dist/nslab.js dist/nslabd.js
ln -sf "$repo/dist/nslab.js" /usr/local/bin/nslab
ln -sf "$repo/dist/nslabd.js" /usr/local/bin/nslabd
echo "nslab is $(command -v nslab), nslabd is $(command -v nslabd)"
echo "== shell completion"
bash scripts/install-completion.sh
# What nslabd.service's Documentation= names (README's links to docs/ keep working there).
install -D -m 0644 README.md /usr/local/share/doc/nslab/README.md
install -d -m 0755 /usr/local/share/doc/nslab/docs
install -m 0644 docs/*.md /usr/local/share/doc/nslab/docs/

echo "== nslabd"
if [ -n "${NSLAB_NETNS:-}" ]; then
  echo "nslabd: not installed as a service (NSLAB_NETNS is set: a test sandbox)"
elif [ -d /run/systemd/system ]; then
  install -m 0644 scripts/nslabd.service /etc/systemd/system/nslabd.service
  systemctl daemon-reload
  systemctl enable --now nslabd
  systemctl is-active nslabd
else
  echo "nslabd: systemd is not running here; start the daemon by hand with: sudo nslabd &"
  echo "        (nslab works without it, running the same engine in-process)"
fi

[ "${NSLAB_NO_LAB:-}" = 1 ] && exit 0
run() { if [ -n "${NSLAB_NETNS:-}" ]; then nsenter --net="/run/netns/$NSLAB_NETNS" "$@"; else "$@"; fi; }
echo "== the example lab: examples/docker0/lab.yaml"
run nslab up examples/docker0/lab.yaml
echo
run nslab network ls
echo
run nslab container ls
echo
echo "== what that is in the kernel"
run ip -br link show master br0
run ip -br addr show br0
ip -n container4 -br addr
ip -n container4 route
echo
echo "Try: sudo ip netns exec container4 ping -c1 10.201.0.5    Remove it all: sudo nslab reset"
