#!/usr/bin/env bash
# What the Vagrantfile runs on each VM: Node.js 22 LTS when no Node >= 20 is there (Debian 12
# ships 18), then scripts/setup.sh. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ]; then
  # Node 20 reached its end of life in April 2026: install 22 LTS, from the distribution's own
  # nodejs where it is that new, else from NodeSource's apt repository (a VM with internet, as
  # Vagrant boxes have). A machine that already has Node >= 20 keeps it.
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  if [ "$(apt-cache policy nodejs | awk '/Candidate/ {split($2, v, "."); print v[1]}' | sed 's/^[0-9]*://')" -ge 22 ] 2>/dev/null; then
    apt-get install -y -qq nodejs npm
  else
    apt-get install -y -qq ca-certificates curl gnupg
    install -d -m 0755 /etc/apt/keyrings
    curl -fsSL https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key | gpg --dearmor --yes -o /etc/apt/keyrings/nodesource.gpg
    echo "deb [signed-by=/etc/apt/keyrings/nodesource.gpg] https://deb.nodesource.com/node_22.x nodistro main" > /etc/apt/sources.list.d/nodesource.list
    apt-get update -qq
    apt-get install -y -qq nodejs
  fi
fi
exec bash scripts/setup.sh
