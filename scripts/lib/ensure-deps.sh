# Shared by scripts/test.sh and scripts/up.sh: install only what is missing.
# Debian packages: protoc for code generation; etcd-server/etcd-client as the reference store
# and the real client tests run against; docker.io and busybox-static for the agent's tests
# (a real engine, and a test image built from busybox since no registry is reachable).
# The release tests: qemu-user-static, debootstrap and binfmt-support run the bundle in ARM roots
# (scripts/lib/arm-roots.sh); systemd gives systemd-analyze to verify and score the units.
SHOAL_DEBIAN_PACKAGES=(protobuf-compiler etcd-server etcd-client docker.io busybox-static qemu-user-static debootstrap binfmt-support)
# systemd-analyze may come without the systemd package (another init, a container image).
command -v systemd-analyze >/dev/null 2>&1 || SHOAL_DEBIAN_PACKAGES+=(systemd)
# The lab (scripts/lab.sh): network namespaces, veths and routes, nsenter, iptables.
SHOAL_DEBIAN_PACKAGES+=(iproute2 util-linux iptables)

ensure_debian_packages() {
  local missing=()
  for p in "${SHOAL_DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "== installing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

ensure_node_modules() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "== npm ci"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

# Starts dockerd (storage driver vfs works everywhere) when no engine answers on the socket.
ensure_dockerd() {
  if /usr/bin/docker version >/dev/null 2>&1; then return; fi
  echo "== starting dockerd"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo sh -c 'nohup /usr/sbin/dockerd --storage-driver=vfs >/tmp/dockerd.log 2>&1 &'
  for _ in $(seq 1 240); do
    /usr/bin/docker version >/dev/null 2>&1 && return
    sleep 0.5
  done
  echo "dockerd did not start (see /tmp/dockerd.log)" >&2
}

# The ARM roots the release's emulation test runs in (built once, ~90 s per arch, then cached in
# /var/cache/shoal-test/roots). Needs root; the test builds them itself when this did not run.
ensure_arm_roots() {
  [ "$(id -u)" -eq 0 ] || return 0
  bash scripts/lib/arm-roots.sh ensure arm64 armhf
}

# Node.js >= 20.15 (package.json engines) with npm. Debian 13 ships it (apt-get install nodejs
# npm); older releases (Debian 12: Node.js 18) need it from nodejs.org or NodeSource: say so.
node_recent() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 &&
    node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=15)?0:1)' 2>/dev/null
}
ensure_node() {
  node_recent && return 0
  local sudo="" candidate
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq || true
  candidate="$(apt-cache policy nodejs 2>/dev/null | awk '/Candidate:/ { print $2 }')"
  if [[ "$candidate" =~ ^([0-9]+)\.([0-9]+) ]] && { [ "${BASH_REMATCH[1]}" -gt 20 ] || { [ "${BASH_REMATCH[1]}" -eq 20 ] && [ "${BASH_REMATCH[2]}" -ge 15 ]; }; }; then
    echo "== installing Debian packages: nodejs npm (Node.js $candidate)"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
    node_recent && return 0
  fi
  echo "Shoal needs Node.js >= 20.15 with npm; this machine has $(node --version 2>/dev/null || echo none) and apt offers nodejs ${candidate:-nothing}." >&2
  echo "Install Node.js 20 or newer (Debian 13: apt-get install nodejs npm; Debian 12: from nodejs.org or NodeSource), then run this again." >&2
  return 1
}
