#!/usr/bin/env bash
# Make a Docker engine available for rtsoak's compose driver and tests.
#  - installs Docker and docker-compose from Debian when they are missing (needs root + apt);
#  - starts dockerd in the background when no daemon answers;
#  - waits for the socket. Idempotent: a second run does nothing and exits 0.
# Exit codes: 0 daemon answers; 3 no daemon can run here (reason on stderr).
# Env: RTSOAK_DOCKERD_LOG (default /tmp/rtsoak-dockerd.log), RTSOAK_DOCKER_WAIT (seconds, default 60).
set -u

log() { echo "docker-setup: $*" >&2; }
fail() { log "$*"; exit 3; }

LOG_FILE="${RTSOAK_DOCKERD_LOG:-/tmp/rtsoak-dockerd.log}"
WAIT_S="${RTSOAK_DOCKER_WAIT:-60}"

daemon_answers() { docker info >/dev/null 2>&1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo -n "$@"
  else return 1; fi
}

if command -v docker >/dev/null 2>&1 && daemon_answers; then
  log "a Docker daemon already answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
  exit 0
fi

# 1. Install what is missing (Debian packages: docker.io = engine + client, docker-compose = compose v1).
need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null 2>&1; then
  need+=(docker-compose)
fi
if [ "${#need[@]}" -gt 0 ]; then
  command -v apt-get >/dev/null 2>&1 || fail "no Docker engine and no apt-get to install one: install Docker, then rerun."
  log "installing ${need[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq >/dev/null 2>&1 || log "apt-get update failed (continuing with the cached lists)"
  as_root apt-get install -y -qq --no-install-recommends "${need[@]}" iptables >/dev/null \
    || fail "apt-get install ${need[*]} failed: run it by hand as root to see why."
fi
command -v dockerd >/dev/null 2>&1 || fail "dockerd is not installed."

# 2. Start a daemon unless one is already starting (pid file of a live dockerd).
if ! daemon_answers; then
  running=""
  if [ -f /var/run/docker.pid ] && kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then running=1; fi
  if [ -z "$running" ]; then
    log "starting dockerd in the background (log: $LOG_FILE)"
    # setsid: the daemon outlives this script and the CI step that called it.
    as_root setsid dockerd >"$LOG_FILE" 2>&1 < /dev/null &
  else
    log "dockerd (pid $(cat /var/run/docker.pid)) is starting; waiting for it"
  fi
fi

# 3. Wait for the socket and an answer.
for _ in $(seq 1 "$((WAIT_S * 2))"); do
  if daemon_answers; then
    log "Docker daemon ready ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
    exit 0
  fi
  sleep 0.5
done
tail -n 20 "$LOG_FILE" >&2 2>/dev/null || true
fail "dockerd did not answer within ${WAIT_S} s (log: $LOG_FILE); this machine probably cannot run containers."
