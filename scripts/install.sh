#!/usr/bin/env bash
# Installs Shoal from an extracted release bundle (npm run release) on Debian, Ubuntu or
# Raspberry Pi OS, as root, with no network needed. See README "Install on servers and Raspberry Pis".
#
#   install.sh control-plane init --advertise-address IP [--name NAME] [shoal-control-plane init flags...]
#   install.sh control-plane join HOST:PORT --token T --ca-cert-hash sha256:H --certificate-key K
#                                 --advertise-address IP [--name NAME] [more join flags...]
#   install.sh agent join HOST:PORT --token T --ca-cert-hash sha256:H [--node-name N] [--node-ip IP]
#                                 [more shoal-agent run flags...]
#   install.sh --check [control-plane|agent]     prerequisites only; changes nothing
#   install.sh --uninstall [--purge]             removes what was installed; data stays unless --purge
# Options (before the role): --root DIR (or DESTDIR=DIR) installs under DIR and never starts
# anything; --no-start writes and enables the units without starting them; --skip-checks.
#
# Layout: /opt/shoal/<version>/ and /opt/shoal/current -> <version>; /usr/local/bin/shoal* ->
# /opt/shoal/current/bin/*; /etc/shoal/<role>.env (the unit's arguments, 0600); /var/lib/shoal/<role>
# (data, 0700); /etc/systemd/system/shoal-<role>.service, enabled for multi-user.target.
# Every path it creates is listed in /var/lib/shoal/install-manifest; --uninstall reads that list.
#
# Prerequisite probes can be pointed elsewhere (tests do): SHOAL_NODE (node binary), SHOAL_DOCKER
# (docker CLI), SHOAL_IPTABLES (iptables), SHOAL_TIMEDATECTL, SHOAL_SYSFS (/sys), SHOAL_PROCFS
# (/proc), SHOAL_BOOT (/boot), SHOAL_MIN_FREE_MB (1024), SHOAL_PID1 (the comm of PID 1).
set -euo pipefail

SELF=$(readlink -f "$0")
BUNDLE=$(cd "$(dirname "$SELF")/.." && pwd)
ROOT=${DESTDIR:-}
START=yes
CHECKS=yes

NODE=${SHOAL_NODE:-node}
DOCKER=${SHOAL_DOCKER:-docker}
IPTABLES=${SHOAL_IPTABLES:-iptables}
TIMEDATECTL=${SHOAL_TIMEDATECTL:-timedatectl}
SYSFS=${SHOAL_SYSFS:-/sys}
PROCFS=${SHOAL_PROCFS:-/proc}
BOOT=${SHOAL_BOOT:-/boot}
MIN_FREE_MB=${SHOAL_MIN_FREE_MB:-1024}
# The bundle's minimum Node.js (BUILD.json "node": ">=20.15"), major.minor.
MIN_NODE=$(sed -nE 's/^[[:space:]]*"node":[[:space:]]*">=([0-9]+(\.[0-9]+)?)".*/\1/p' "$BUNDLE/BUILD.json" 2>/dev/null | head -n1)
MIN_NODE=${MIN_NODE:-20}

say() { printf '%s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }
usage() {
  sed -n '4,13p' "$SELF" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# ---------------------------------------------------------------- prerequisite checks
# Each check prints "ok", "warn" or "FAIL" with what is missing and how to fix it.
FAILS=0
ok() { say "  ok    $*"; }
warn() { say "  warn  $*"; }
fail() { say "  FAIL  $*"; FAILS=$((FAILS + 1)); }

check_node() {
  local v
  if ! v=$("$NODE" --version 2>/dev/null); then
    fail "Node.js: '$NODE' not found. Fix: apt install nodejs (Debian 13 / Raspberry Pi OS 13 ship Node.js 20; on Debian 12 install Node.js 20+ from nodejs.org or NodeSource)"
    return
  fi
  local have=${v#v} major minor want_major=${MIN_NODE%%.*} want_minor=0
  major=${have%%.*}
  minor=${have#*.}
  minor=${minor%%.*}
  [ "$MIN_NODE" = "$want_major" ] || want_minor=${MIN_NODE#*.}
  if [ "$major" -gt "$want_major" ] 2>/dev/null || { [ "$major" -eq "$want_major" ] 2>/dev/null && [ "$minor" -ge "$want_minor" ]; }; then
    ok "Node.js $v"
  else
    fail "Node.js $v is too old: Shoal needs Node.js >= $MIN_NODE. Fix: install Node.js $MIN_NODE or newer (Debian 13: apt install nodejs; Debian 12 / Raspberry Pi OS 12: Node.js 20 from nodejs.org or NodeSource)"
  fi
}

check_docker() {
  local v
  if ! command -v "$DOCKER" >/dev/null 2>&1; then
    fail "Docker: the docker command is missing. Fix: apt install docker.io && systemctl enable --now docker"
  elif v=$("$DOCKER" version --format '{{.Server.Version}}' 2>/dev/null) && [ -n "$v" ]; then
    ok "Docker engine $v answers"
  else
    fail "Docker: the engine does not answer on its socket. Fix: systemctl enable --now docker (and check: docker version)"
  fi
}

check_iptables() {
  local v backend other count
  if ! v=$("$IPTABLES" --version 2>/dev/null); then
    fail "iptables: not found. Fix: apt install iptables"
    return
  fi
  case "$v" in
    *nf_tables*) backend=nft other=legacy ;;
    *legacy*) backend=legacy other=nft ;;
    *) backend=legacy other=nft ;;
  esac
  ok "iptables: $v (back end $backend)"
  # Rules already in the other back end would be invisible to Shoal's and Docker's rules.
  if command -v "$IPTABLES-$other-save" >/dev/null 2>&1; then
    count=$("$IPTABLES-$other-save" 2>/dev/null | grep -c '^-A' || true)
    if [ "${count:-0}" -gt 0 ]; then
      warn "iptables: the host also has $count rule(s) in the $other back end, while iptables uses $backend. Rules in two back ends do not see each other; pick one (update-alternatives --set iptables /usr/sbin/iptables-$other) and restart Docker"
    fi
  fi
}

raspberry_pi_model() {
  local f
  for f in "$PROCFS/device-tree/model" "$SYSFS/firmware/devicetree/base/model"; do
    if [ -r "$f" ] && tr -d '\0' < "$f" | grep -q 'Raspberry Pi'; then
      tr -d '\0' < "$f"
      return 0
    fi
  done
  return 1
}

check_memory_cgroup() {
  local enabled=no where
  if [ -r "$SYSFS/fs/cgroup/cgroup.controllers" ]; then
    where="cgroup v2 ($SYSFS/fs/cgroup/cgroup.controllers)"
    grep -qw memory "$SYSFS/fs/cgroup/cgroup.controllers" && enabled=yes
  else
    where="cgroup v1 ($PROCFS/cgroups)"
    awk '$1 == "memory" && $4 == 1 { found = 1 } END { exit !found }' "$PROCFS/cgroups" 2>/dev/null && enabled=yes
  fi
  if [ "$enabled" = yes ]; then
    ok "memory cgroup enabled ($where)"
    return
  fi
  local model cmdline
  if model=$(raspberry_pi_model); then
    cmdline="$BOOT/firmware/cmdline.txt"
    [ -f "$cmdline" ] || cmdline="$BOOT/cmdline.txt"
    fail "memory cgroup is off ($where) — the default on a $model. Fix: add to the end of the single line in $cmdline:  cgroup_enable=memory cgroup_memory=1  then reboot"
  else
    fail "memory cgroup is off ($where). Fix: add cgroup_enable=memory to the kernel command line (GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub) and reboot"
  fi
}

check_clock() {
  local synced
  if synced=$("$TIMEDATECTL" show -p NTPSynchronized --value 2>/dev/null); then
    if [ "$synced" = yes ]; then
      ok "clock synchronised (timedatectl)"
    else
      fail "clock not synchronised: certificates and leases need a right clock (a Raspberry Pi has no battery clock). Fix: apt install systemd-timesyncd && timedatectl set-ntp true, then wait for timedatectl to say 'System clock synchronized: yes'"
    fi
  else
    warn "clock: cannot tell whether it is synchronised (timedatectl does not answer: systemd is not running). Make sure NTP runs on this host"
  fi
}

check_disk() {
  local dir=$1 free
  while [ ! -d "$dir" ]; do dir=$(dirname "$dir"); done
  free=$(df -Pk "$dir" | awk 'NR == 2 { print int($4 / 1024) }')
  if [ "${free:-0}" -ge "$MIN_FREE_MB" ]; then
    ok "free disk: ${free} MiB at $dir"
  else
    fail "free disk: only ${free} MiB at $dir; Shoal needs at least ${MIN_FREE_MB} MiB there (images, the store's log). Fix: free space or give /var/lib/shoal a bigger disk"
  fi
}

run_checks() {
  local role=$1
  FAILS=0
  say "== prerequisites (${role:-any role})"
  check_node
  if [ "$role" != control-plane ]; then
    check_docker
    check_iptables
    check_memory_cgroup
  fi
  check_clock
  check_disk "$ROOT/var/lib/shoal"
  if [ "$FAILS" -gt 0 ]; then
    say "== $FAILS prerequisite(s) missing: nothing was installed"
    return 1
  fi
  say "== prerequisites met"
}

# ---------------------------------------------------------------- manifest
# The manifest lives with the data: an uninstall that keeps the data keeps the lines for what is
# left (data and the directories holding it), so a later --purge still knows what was ours.
MANIFEST_REL=/var/lib/shoal/install-manifest
manifest() { echo "$ROOT$MANIFEST_REL"; }

# Records one installed path: "dir", "file", "link" or "data" (data is removed only by --purge).
record() {
  local kind=$1 path=$2 m
  m=$(manifest)
  grep -qxF "$kind $path" "$m" 2>/dev/null || echo "$kind $path" >> "$m"
}

# The manifest's own directories come first (record needs them), recorded once it exists.
begin_manifest() {
  local d made=()
  for d in /var /var/lib /var/lib/shoal; do
    if [ ! -d "$ROOT$d" ]; then
      mkdir -m 0755 "$ROOT$d"
      made+=("$d")
    fi
  done
  chmod 0700 "$ROOT/var/lib/shoal"
  touch "$(manifest)"
  for d in "${made[@]}"; do [ "$d" = /var/lib/shoal ] || record dir "$d"; done
  record data /var/lib/shoal
}

# mkdir -p that records each directory it creates (kind dir, or data for the given ones).
make_dir() {
  local path=$1 kind=${2:-dir} mode=${3:-0755} parent
  [ -d "$ROOT$path" ] && return 0
  parent=$(dirname "$path")
  [ "$parent" = / ] || make_dir "$parent"
  mkdir -m "$mode" "$ROOT$path"
  record "$kind" "$path"
}

put_file() {
  local src=$1 path=$2 mode=$3
  make_dir "$(dirname "$path")"
  install -m "$mode" "$src" "$ROOT$path"
  record file "$path"
}

put_link() {
  local target=$1 path=$2
  make_dir "$(dirname "$path")"
  ln -sfn "$target" "$ROOT$path"
  record link "$path"
}

# ---------------------------------------------------------------- systemd
systemd_running() { [ "${SHOAL_PID1:-$(cat /proc/1/comm 2>/dev/null || true)}" = systemd ]; }

write_unit() {
  local role=$1 tmp
  tmp=$(mktemp)
  sed -e "s#@BIN@#/opt/shoal/current/bin#g" -e "s#@DATA_DIR@#/var/lib/shoal/$role#g" \
    -e "s#@ENV_FILE@#/etc/shoal/$role.env#g" -e "s#@CONFIG_DIR@#/etc/shoal#g" \
    "$BUNDLE/scripts/systemd/shoal-$role.service.in" > "$tmp"
  put_file "$tmp" "/etc/systemd/system/shoal-$role.service" 0644
  rm -f "$tmp"
  # What `systemctl enable` does, done by hand so it also works under --root and is recorded.
  put_link "/etc/systemd/system/shoal-$role.service" "/etc/systemd/system/multi-user.target.wants/shoal-$role.service"
}

start_unit() {
  local role=$1
  if [ -n "$ROOT" ]; then
    say "== installed under $ROOT: nothing started"
  elif ! systemd_running; then
    say "== systemd is not running here (PID 1 is '$(cat /proc/1/comm 2>/dev/null || echo unknown)'): shoal-$role.service is written and enabled but not started"
  elif [ "$START" != yes ]; then
    systemctl daemon-reload
    say "== shoal-$role.service enabled; start it with: systemctl start shoal-$role"
  else
    systemctl daemon-reload
    systemctl restart "shoal-$role.service"
    # A unit that dies at once (bad flags, a refused join) shows it within seconds.
    local i
    for i in 1 2 3 4 5; do
      sleep 2
      systemctl is-active --quiet "shoal-$role.service" || break
    done
    if systemctl is-active --quiet "shoal-$role.service"; then
      say "== shoal-$role.service is running; follow it with: journalctl -fu shoal-$role"
    else
      journalctl -u "shoal-$role.service" -n 20 --no-pager >&2 || true
      die "shoal-$role.service is not running (above: its last log lines; fix the cause, then: systemctl restart shoal-$role)"
    fi
  fi
}

# ---------------------------------------------------------------- install
bundle_version() {
  [ -f "$BUNDLE/BUILD.json" ] && [ -f "$BUNDLE/lib/shoal-agent.mjs" ] ||
    die "$BUNDLE is not an extracted release bundle (no BUILD.json / lib/). Build one with 'npm run release' and run scripts/install.sh from the extracted tarball"
  sed -nE 's/^[[:space:]]*"version":[[:space:]]*"([^"]+)".*/\1/p' "$BUNDLE/BUILD.json" | head -n1
}

install_bundle() {
  local version=$1 dest=/opt/shoal/$1 f
  say "== installing Shoal $version to $ROOT/opt/shoal/$version"
  begin_manifest
  make_dir /opt/shoal
  if [ "$BUNDLE" != "$ROOT$dest" ]; then
    make_dir "$dest"
    # Every file of the bundle, recorded one by one.
    (cd "$BUNDLE" && find . -type d ! -name . | sort) | while read -r f; do make_dir "$dest/${f#./}"; done
    (cd "$BUNDLE" && find . -type f | sort) | while read -r f; do
      put_file "$BUNDLE/${f#./}" "$dest/${f#./}" "$(stat -c '%a' "$BUNDLE/${f#./}")"
    done
  fi
  put_link "$version" /opt/shoal/current
  for f in shoal-control-plane shoal-agent shoalctl; do put_link "/opt/shoal/current/bin/$f" "/usr/local/bin/$f"; done
}

write_env() {
  local role=$1 tmp
  shift
  tmp=$(mktemp)
  printf '# Written by install.sh: the arguments shoal-%s.service runs with.\n' "$role" > "$tmp"
  printf '%s\n' "$@" >> "$tmp"
  make_dir /etc/shoal dir 0755
  put_file "$tmp" "/etc/shoal/$role.env" 0600
  rm -f "$tmp"
}

has_flag() {
  local name=$1
  shift
  local a
  for a in "$@"; do
    case "$a" in "$name" | "$name="*) return 0 ;; esac
  done
  return 1
}

install_control_plane() {
  local action=${1:-}
  shift || true
  case "$action" in
    init) ;;
    join) [ "$#" -gt 0 ] && [ "${1#-}" = "$1" ] || die "control-plane join: the first argument is the API server HOST:PORT to join through" ;;
    *) die "control-plane: expected 'init' or 'join', got '${action}'" ;;
  esac
  has_flag --advertise-address "$@" || die "control-plane $action: --advertise-address IP is required (the address the other hosts reach this one at)"
  if [ "$action" = join ]; then
    local f
    for f in --token --ca-cert-hash --certificate-key; do has_flag "$f" "$@" || die "control-plane join: $f is required (shoal-control-plane init prints the join command with it)"; done
  fi
  local args=("$action" "$@")
  has_flag --name "$@" || args+=(--name "$( (hostname 2>/dev/null || cat /proc/sys/kernel/hostname) | tr '[:upper:]' '[:lower:]')")
  has_flag --data-dir "$@" || args+=(--data-dir /var/lib/shoal/control-plane)
  has_flag --admin-config "$@" || args+=(--admin-config /etc/shoal/admin.conf)
  [ "$CHECKS" = no ] || run_checks control-plane || exit 1
  install_bundle "$VERSION"
  make_dir /var/lib/shoal/control-plane data 0700
  record data /var/lib/shoal/control-plane
  record data /etc/shoal/admin.conf
  write_env control-plane "SHOAL_CONTROL_PLANE_ARGS=\"${args[*]}\""
  write_unit control-plane
  start_unit control-plane
  say "== on first start the control plane ${action}s the cluster; its join commands are in: journalctl -u shoal-control-plane"
  [ "$action" = init ] && say "== admin access: shoalctl --config /etc/shoal/admin.conf get nodes (or copy it to ~/.shoal/config)"
  return 0
}

install_agent() {
  local action=${1:-}
  shift || true
  [ "$action" = join ] || die "agent: expected 'join', got '${action}'"
  [ "$#" -gt 0 ] && [ "${1#-}" = "$1" ] || die "agent join: the first argument is the API server HOST:PORT to join"
  local server=$1
  shift
  # join's own flags go to `shoal-agent join`; everything else to `shoal-agent run`.
  local join_args=("$server" --data-dir /var/lib/shoal/agent) run_args=(--data-dir /var/lib/shoal/agent)
  while [ "$#" -gt 0 ]; do
    case "$1" in
      --token | --ca-cert-hash | --node-name)
        [ "$#" -ge 2 ] || die "agent join: $1 needs a value"
        join_args+=("$1" "$2")
        [ "$1" = --node-name ] && run_args+=("$1" "$2")
        shift 2 ;;
      --token=* | --ca-cert-hash=* | --node-name=*)
        join_args+=("$1")
        case "$1" in --node-name=*) run_args+=("$1") ;; esac
        shift ;;
      *) run_args+=("$1"); shift ;;
    esac
  done
  has_flag --token "${join_args[@]}" || die "agent join: --token is required (shoalctl token create prints a join command)"
  has_flag --ca-cert-hash "${join_args[@]}" || die "agent join: --ca-cert-hash sha256:<hex> is required (shoalctl token create prints it)"
  [ "$CHECKS" = no ] || run_checks agent || exit 1
  install_bundle "$VERSION"
  make_dir /var/lib/shoal/agent data 0700
  record data /var/lib/shoal/agent
  write_env agent "SHOAL_AGENT_JOIN_ARGS=\"${join_args[*]}\"" "SHOAL_AGENT_ARGS=\"${run_args[*]}\""
  write_unit agent
  start_unit agent
  say "== on first start the agent joins through $server (journalctl -u shoal-agent), then runs"
  return 0
}

# ---------------------------------------------------------------- uninstall
uninstall() {
  local purge=$1 m entries kind path u
  m=$(manifest)
  [ -f "$m" ] || die "nothing to uninstall: $m not found"
  entries=$(cat "$m")
  if [ -z "$ROOT" ] && systemd_running; then
    for u in shoal-agent shoal-control-plane; do
      if grep -qxF "file /etc/systemd/system/$u.service" <<< "$entries"; then systemctl disable --now "$u.service" || true; fi
    done
  fi
  # Files and links first; data only with --purge; then directories deepest first, when empty.
  while read -r kind path; do
    case "$kind" in file | link) rm -f "$ROOT$path" ;; esac
  done <<< "$entries"
  if [ "$purge" = yes ]; then
    while read -r kind path; do
      if [ "$kind" = data ]; then rm -rf -- "$ROOT$path"; fi
    done <<< "$entries"
  fi
  while read -r kind path; do
    if [ -n "$path" ] && [ -d "$ROOT$path" ] && [ ! -L "$ROOT$path" ]; then rmdir "$ROOT$path" 2>/dev/null || true; fi
  done < <(grep -E '^(dir|data) ' <<< "$entries" | sort -r -k2)
  if [ "$purge" = yes ]; then
    say "== Shoal uninstalled, data purged"
  else
    # Keep the lines for what is left, so a later --uninstall --purge can finish the job.
    while read -r kind path; do
      if [ -e "$ROOT$path" ] || [ -L "$ROOT$path" ]; then echo "$kind $path"; fi
    done <<< "$entries" > "$m.next"
    mv "$m.next" "$m"
    say "== Shoal uninstalled; data kept in $ROOT/var/lib/shoal (remove it with --uninstall --purge)"
  fi
  if [ -z "$ROOT" ] && systemd_running; then systemctl daemon-reload; fi
}

# ---------------------------------------------------------------- main
MODE=install
PURGE=no
ROLE=
while [ "$#" -gt 0 ]; do
  case "$1" in
    --root) [ "$#" -ge 2 ] || die "--root needs a directory"; ROOT=$2; shift 2 ;;
    --root=*) ROOT=${1#--root=}; shift ;;
    --no-start) START=no; shift ;;
    --skip-checks) CHECKS=no; shift ;;
    --check) MODE=check; shift ;;
    --uninstall) MODE=uninstall; shift ;;
    --purge) PURGE=yes; shift ;;
    -h | --help) usage ;;
    control-plane | agent) ROLE=$1; shift; break ;;
    *) say "install.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
if [ -n "$ROOT" ]; then
  mkdir -p "$ROOT"
  ROOT=$(cd "$ROOT" && pwd)
  [ "$ROOT" != / ] || ROOT=
fi

case "$MODE" in
  check) run_checks "$ROLE" ;;
  uninstall)
    [ -n "$ROOT" ] || [ "$(id -u)" -eq 0 ] || die "run as root (sudo $0 --uninstall)"
    uninstall "$PURGE"
    ;;
  install)
    [ -n "$ROLE" ] || usage
    [ -n "$ROOT" ] || [ "$(id -u)" -eq 0 ] || die "run as root (sudo $0 ...)"
    VERSION=$(bundle_version)
    case "$ROLE" in
      control-plane) install_control_plane "$@" ;;
      agent) install_agent "$@" ;;
    esac
    ;;
esac
