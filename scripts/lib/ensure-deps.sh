# Shared by scripts/test.sh and scripts/up.sh: install only what is missing.
# Debian packages: protoc for code generation; etcd-server/etcd-client as the reference store
# and the real client tests run against.
SHOAL_DEBIAN_PACKAGES=(protobuf-compiler etcd-server etcd-client)

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
