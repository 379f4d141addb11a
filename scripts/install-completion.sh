#!/usr/bin/env bash
# Install nslab's shell completion, generated from its command tree by the built CLI:
#   bash: $NSLAB_PREFIX/etc/bash_completion.d/nslab
#   zsh:  $NSLAB_PREFIX/usr/local/share/zsh/site-functions/_nslab
# A file already holding the same script is left alone (safe to run again). Run by setup.sh.
#   NSLAB_PREFIX=DIR   install under DIR instead of / (used by the tests)
#   NSLAB_CLI=FILE     the CLI to ask (default: this checkout's dist/nslab.js)
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${NSLAB_PREFIX:-}
prefix=${prefix%/}
cli=${NSLAB_CLI:-$(pwd)/dist/nslab.js}
for shell in bash zsh; do
  case $shell in
    bash) dest=$prefix/etc/bash_completion.d/nslab ;;
    zsh) dest=$prefix/usr/local/share/zsh/site-functions/_nslab ;;
  esac
  script=$(node "$cli" completion "$shell")
  if [ -f "$dest" ] && [ "$(cat "$dest")" = "$script" ]; then
    echo "$shell completion: $dest (unchanged)"
  else
    install -d -m 0755 "$(dirname "$dest")"
    printf '%s\n' "$script" > "$dest.tmp" && chmod 0644 "$dest.tmp" && mv -f "$dest.tmp" "$dest"
    echo "$shell completion: $dest (installed)"
  fi
done
