#!/usr/bin/env bash
# Build a Debian bookworm base image without any container registry:
# debootstrap (minbase) from the Debian mirror, trim, then `docker import`.
# Usage: build-offline.sh <image-name> [mirror]
# Needs root (debootstrap) and a Docker daemon. Used by `rtsoak images build` when
# debian:bookworm-slim cannot be pulled.
set -euo pipefail
IMAGE="${1:?usage: build-offline.sh <image-name> [mirror]}"
MIRROR="${2:-http://deb.debian.org/debian}"

command -v debootstrap >/dev/null 2>&1 || {
  echo "build-offline: installing debootstrap from Debian" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
}

ROOT="$(mktemp -d /tmp/rtsoak-rootfs.XXXXXX)"
trap 'rm -rf "$ROOT"' EXIT

echo "build-offline: debootstrap --variant=minbase bookworm ($MIRROR)" >&2
debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" >/dev/null

cat >"$ROOT/etc/apt/sources.list" <<SOURCES
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
SOURCES
# Keep images small, like the official slim images do.
cat >"$ROOT/etc/dpkg/dpkg.cfg.d/rtsoak-nodoc" <<'NODOC'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
NODOC
cat >"$ROOT/etc/apt/apt.conf.d/rtsoak-slim" <<'APTCONF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
APTCONF
rm -rf "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/cache/apt/*.bin "$ROOT"/var/cache/apt/archives/*.deb \
  "$ROOT"/usr/share/man/* "$ROOT"/usr/share/info/* "$ROOT"/usr/share/locale/* "$ROOT"/var/log/*.log
find "$ROOT/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true

echo "build-offline: docker import -> $IMAGE" >&2
tar -C "$ROOT" --numeric-owner -c . | docker import \
  --change 'CMD ["bash"]' \
  --change 'ENV LANG=C.UTF-8' \
  --message "rtsoak offline Debian bookworm base (debootstrap minbase)" \
  - "$IMAGE" >/dev/null
docker image inspect --format '{{.Size}}' "$IMAGE" | awk -v i="$IMAGE" '{printf "build-offline: %s ready (%d MB)\n", i, $1/1000000}' >&2
