#!/usr/bin/env bash
# Installs everything rtsoak needs on a fresh Debian machine, idempotently:
#   - Debian packages for the built-in replica (nginx, HAProxy, Redis, the Flask/gunicorn stack)
#     and Chromium (the HTML report's browser test);
#   - npm dependencies (npm install when node_modules is missing or older than the lock file);
#   - k6, via `rtsoak doctor` (found on PATH / in .cache, or built once with Go).
# Usage: bash scripts/setup.sh [--with-docker]   (--with-docker also installs/starts Docker)
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "setup: $*" >&2; }

DEB_PACKAGES=(nginx-light haproxy redis-server gunicorn python3-flask-socketio python3-gevent
  python3-gevent-websocket python3-redis chromium)
missing=()
for pkg in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    log "missing ${missing[*]} and no apt-get to install them: install them with your package manager, then rerun."
    exit 2
  fi
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo -n"
  log "installing ${missing[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian's packages may start services on install; the replica runs its own processes.
for svc in nginx haproxy redis-server; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    log "note: the system $svc service is running; rtsoak does not use it"
  fi
done

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm dependencies"
  # Not `npm ci`: this registry mirror lacks some optional platform packages (rollup's), which
  # npm leaves out of the lock file and `npm ci` then refuses. `npm install` honours the lock.
  npm install --no-audit --no-fund --loglevel=error
fi

node bin/rtsoak.mjs doctor >&2

if [ "${1:-}" = "--with-docker" ]; then
  bash scripts/docker-setup.sh || log "Docker is not available here: the compose tests will report themselves as skipped"
fi
