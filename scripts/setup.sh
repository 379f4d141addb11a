#!/usr/bin/env bash
# README's first command: install what is missing, build, put nslab on the PATH, bring up the
# example lab ("docker0 by hand") and show what it built. Safe to run again.
#   NSLAB_NETNS=NAME   run the lab inside network namespace NAME (used by the tests)
#   NSLAB_LAB=FILE     bring up FILE instead of examples/docker0/lab.yaml (the tests use a renamed
#                      copy: container namespaces and /etc/netns are machine-wide)
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
lab=${NSLAB_LAB:-examples/docker0/lab.yaml}
echo "== the example lab: $lab"
run nslab up "$lab"
echo
run nslab network ls
echo
run nslab container ls
echo
# The names below are the lab file's own, so a renamed copy of the lab shows its own objects.
mapfile -t containers < <(node --input-type=module -e 'import { parse } from "yaml"; import { readFileSync } from "node:fs";
  for (const name of Object.keys(parse(readFileSync(process.argv[1], "utf8")).containers ?? {})) console.log(name);' "$lab")
first=${containers[0]} second=${containers[1]:-${containers[0]}}
endpoint=$(run nslab container inspect "$second" --format '{{json .NetworkSettings.Networks}}')
peer=$(node -p 'Object.values(JSON.parse(process.argv[1]))[0].IPAddress' "$endpoint")
bridge=$(run nslab network inspect "$(node -p 'Object.keys(JSON.parse(process.argv[1]))[0]' "$endpoint")" --format '{{json .Options}}' | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8"))["com.docker.network.bridge.name"]')
echo "== what that is in the kernel"
run ip -br link show master "$bridge"
run ip -br addr show "$bridge"
ip -n "$first" -br addr
ip -n "$first" route
echo
echo "Try: sudo ip netns exec $first ping -c1 $peer    Remove it all: sudo nslab reset"
