#!/usr/bin/env bash
# Debian 13 (trixie) ARM roots with Node.js for the release's emulation checks (test/release/arm.test.ts).
#
#   arm-roots.sh ensure <arch>...      build /var/cache/shoal-test/roots/<arch>.tar once (arm64, armhf)
#   arm-roots.sh binfmt-on <arch>...   mount binfmt_misc and enable qemu for the arches; prints what it
#                                      changed (one word a line: mounted, qemu-aarch64, ...)
#   arm-roots.sh binfmt-off <word>...  undo exactly what binfmt-on printed
#
# A root is debootstrap --variant=minbase --include=nodejs, run through qemu-user-static (binfmt
# with fix_binary, so the root needs no qemu binary). Building takes ~90 s per arch; the tarball is
# kept in the cache (SHOAL_ROOTS_CACHE) and reused by every later run on this machine.
# Needs root, qemu-user-static, debootstrap and binfmt-support (scripts/lib/ensure-deps.sh).
set -euo pipefail

CACHE=${SHOAL_ROOTS_CACHE:-/var/cache/shoal-test/roots}
BINFMT=/proc/sys/fs/binfmt_misc

qemu_of() {
  case "$1" in
    arm64) echo qemu-aarch64 ;;
    armhf) echo qemu-arm ;;
    *) echo "arm-roots: unknown arch '$1' (arm64 or armhf)" >&2; return 2 ;;
  esac
}

# The Debian mirror this machine already uses (deb822 or one-line sources), else deb.debian.org.
mirror() {
  local m=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    m=$(sed -nE 's#^URIs:[[:space:]]*(\S+/debian)/?$#\1#p' /etc/apt/sources.list.d/debian.sources | head -n1)
  fi
  if [ -z "$m" ] && [ -f /etc/apt/sources.list ]; then
    m=$(sed -nE 's#^deb[[:space:]]+(\S+/debian)/?[[:space:]].*#\1#p' /etc/apt/sources.list | head -n1)
  fi
  echo "${m:-http://deb.debian.org/debian}"
}

binfmt_on() {
  if [ ! -f "$BINFMT/status" ]; then
    mount -t binfmt_misc binfmt_misc "$BINFMT"
    echo mounted
  fi
  local arch q
  for arch in "$@"; do
    q=$(qemu_of "$arch")
    if [ ! -f "$BINFMT/$q" ]; then
      update-binfmts --enable "$q" >&2
      echo "$q"
    elif [ "$(head -n1 "$BINFMT/$q")" != enabled ]; then
      echo 1 > "$BINFMT/$q"
      echo "reenabled:$q"
    fi
  done
}

binfmt_off() {
  local w unmount=""
  for w in "$@"; do
    case "$w" in
      mounted) unmount=yes ;;
      reenabled:*) [ -f "$BINFMT/${w#reenabled:}" ] && echo 0 > "$BINFMT/${w#reenabled:}" ;;
      qemu-*) update-binfmts --disable "$w" >&2 || true ;;
    esac
  done
  if [ -n "$unmount" ]; then umount "$BINFMT" || true; fi
}

ensure_root() {
  local arch=$1 tarball="$CACHE/$1.tar"
  qemu_of "$arch" >/dev/null
  if [ -s "$tarball" ]; then return; fi
  mkdir -p "$CACHE"
  # Two runs building the same arch: the second waits for the first and reuses its tarball.
  exec 9> "$CACHE/.lock-$arch"
  flock 9
  if [ -s "$tarball" ]; then exec 9>&-; return; fi
  local build
  build=$(mktemp -d "$CACHE/.build-$arch.XXXXXX")
  local changed cleanup
  changed=$(binfmt_on "$arch" | tr '\n' ' ')
  cleanup="binfmt_off $changed; umount -R '$build/root/proc' '$build/root/sys' 2>/dev/null || true; rm -rf '$build' '$build.log'"
  # shellcheck disable=SC2064
  trap "$cleanup" EXIT
  echo "== debootstrap trixie $arch (minbase + nodejs) from $(mirror)" >&2
  if ! debootstrap --arch="$arch" --variant=minbase --include=nodejs trixie "$build/root" "$(mirror)" >"$build.log" 2>&1; then
    tail -n 30 "$build.log" >&2
    [ -f "$build/root/debootstrap/debootstrap.log" ] && tail -n 30 "$build/root/debootstrap/debootstrap.log" >&2
    echo "arm-roots: debootstrap $arch failed" >&2
    return 1
  fi
  # Apt lists and caches are not needed to run node; keep the tarball small.
  rm -rf "$build/root/var/cache/apt/archives/"*.deb "$build/root/var/lib/apt/lists/"*
  tar --numeric-owner -C "$build/root" -cf "$tarball.part" .
  mv "$tarball.part" "$tarball"
  eval "$cleanup"
  trap - EXIT
  exec 9>&-
  echo "== $tarball ready" >&2
}

cmd=${1:-}
shift || true
case "$cmd" in
  ensure)
    [ "$#" -gt 0 ] || set -- arm64 armhf
    for a in "$@"; do ensure_root "$a"; done
    ;;
  binfmt-on) binfmt_on "$@" ;;
  binfmt-off) binfmt_off "$@" ;;
  *)
    echo "usage: arm-roots.sh ensure [arm64|armhf]... | binfmt-on <arch>... | binfmt-off <word>..." >&2
    exit 2
    ;;
esac
