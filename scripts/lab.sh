#!/usr/bin/env bash
# The lab: several "hosts" on this machine, each a network namespace with one veth on a bridge
# that lives in a switch namespace; every worker runs its own dockerd (own data root, exec root,
# pid file and socket) with the local busybox test image loaded. Nothing is ever configured in
# the root network namespace: no address, route, rule or link.
#
#   scripts/lab.sh up       make the lab (idempotent: what exists is kept; a failed first `up`
#                           removes everything it made)
#   scripts/lab.sh down     remove everything: processes in the lab's namespaces, containers,
#                           dockerds, mounts under LAB_DIR, namespaces (with their veths and
#                           bridge) and LAB_DIR (idempotent)
#   scripts/lab.sh status   hosts, addresses, dockerd state
#   scripts/lab.sh bundle TARBALL|DIR
#                           the release (npm run release) the hosts install: extracted to
#                           $LAB_DIR/bundle (a directory is copied)
#   scripts/lab.sh install HOST ARGS...
#                           the bundle's install.sh as on a real host, into $LAB_DIR/HOST/root:
#                           install.sh --root $LAB_DIR/HOST/root --skip-checks --no-start ARGS
#   scripts/lab.sh start HOST control-plane|agent
#                           runs the installed unit inside HOST as systemd would: its
#                           EnvironmentFile, ExecStartPre, ExecStart (paths under /opt/shoal,
#                           /etc/shoal, /var/lib/shoal mapped into HOST's root), and Restart=always
#                           with RestartSec=5. Log: $LAB_DIR/HOST/<role>.log (appended)
#   scripts/lab.sh stop HOST control-plane|agent
#                           SIGTERM, SIGKILL after TimeoutStopSec (30 s); not restarted
#   scripts/lab.sh kill HOST control-plane|agent
#                           SIGKILL to the unit's main process only: it restarts 5 s later
#   scripts/lab.sh pid HOST control-plane|agent
#                           the unit's main process id (exit 1 when it does not run)
#   scripts/lab.sh dockerd HOST start|stop
#                           a worker's engine on or off (stop: containers stop with it, as when a
#                           host loses power; start: the same data root, so they are still there)
#
# Env: LAB_NAME (default shoal), LAB_WORKERS (2), LAB_CONTROL_PLANES (3),
#      LAB_DIR (/var/lib/shoal-lab/$LAB_NAME).
# Hosts and addresses (10.77.0.0/24): $LAB_NAME-cp1..N = 10.77.0.11.., $LAB_NAME-w1..M =
# 10.77.0.21.., $LAB_NAME-client = 10.77.0.100; the switch is $LAB_NAME-sw (bridge br0, with
# 10.77.0.1: every host's default route, a router with no uplink that forwards nothing).
# Run something in a host: nsenter --net=/var/run/netns/<host> <cmd> (not `ip netns exec`: it
# remounts /sys and dockerd then fails). A worker's engine: docker -H unix://$LAB_DIR/w1/docker.sock
set -euo pipefail

LAB_NAME="${LAB_NAME:-shoal}"
LAB_WORKERS="${LAB_WORKERS:-2}"
LAB_CONTROL_PLANES="${LAB_CONTROL_PLANES:-3}"
LAB_DIR="${LAB_DIR:-/var/lib/shoal-lab/$LAB_NAME}"
SUBNET_PREFIX=10.77.0
TEST_IMAGE=shoal-test/busybox:1
# The same image under a second tag: "a new version" for rollouts.
TEST_IMAGE_V2=shoal-test/busybox:2
APPLETS=(sh sleep nc httpd cat echo env ls true false kill touch rm mkdir test wget ps id pwd grep dd head)
DOCKER=/usr/bin/docker
[ -x "$DOCKER" ] || DOCKER="$(command -v docker || echo docker)"

die() { echo "lab: $*" >&2; exit 1; }
# What systemd gives a unit: a small clean environment (no NODE_OPTIONS from a test runner).
UNIT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

check_env() {
  [[ "$LAB_NAME" =~ ^[a-z][a-z0-9-]{0,11}$ ]] || die "LAB_NAME \"$LAB_NAME\" must be 1-12 lower-case letters, digits or '-', starting with a letter"
  [[ "$LAB_WORKERS" =~ ^[0-9]$ ]] || die "LAB_WORKERS \"$LAB_WORKERS\" must be 0-9"
  [[ "$LAB_CONTROL_PLANES" =~ ^[0-9]$ ]] || die "LAB_CONTROL_PLANES \"$LAB_CONTROL_PLANES\" must be 0-9"
  case "$LAB_DIR" in /*) ;; *) die "LAB_DIR \"$LAB_DIR\" must be an absolute path" ;; esac
  [ "$LAB_DIR" != / ] || die "LAB_DIR must not be /"
}

# Host names (without the lab prefix) and their addresses, in order.
hosts() {
  local i
  for ((i = 1; i <= LAB_CONTROL_PLANES; i++)); do echo "cp$i $SUBNET_PREFIX.$((10 + i))"; done
  for ((i = 1; i <= LAB_WORKERS; i++)); do echo "w$i $SUBNET_PREFIX.$((20 + i))"; done
  echo "client $SUBNET_PREFIX.100"
}
workers() { local i; for ((i = 1; i <= LAB_WORKERS; i++)); do echo "w$i"; done; }

ns() { echo "$LAB_NAME-$1"; }
ns_exists() { [ -e "/var/run/netns/$1" ]; }
in_ns() { local n="$1"; shift; nsenter --net="/var/run/netns/$n" "$@"; }
sock() { echo "$LAB_DIR/$1/docker.sock"; }
dk() { local w="$1"; shift; "$DOCKER" -H "unix://$(sock "$w")" "$@"; }
# Read once: a process that exits meanwhile is simply gone (not a grep error); zombies are gone too.
alive() { local st; st="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1; [ -n "$st" ] && [[ "$st" != *") Z "* ]]; }

dockerd_pid() { # prints the pid of worker $1's dockerd when it runs
  local f="$LAB_DIR/$1/docker.pid" pid
  [ -f "$f" ] || return 1
  pid="$(cat "$f" 2>/dev/null)"
  [ -n "$pid" ] && alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q dockerd || return 1
  echo "$pid"
}
dockerd_answers() { timeout 5 "$DOCKER" -H "unix://$(sock "$1")" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

need() {
  [ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces, dockerd)"
  local c
  for c in ip nsenter dockerd "$DOCKER" tar setsid; do command -v "$c" >/dev/null || die "$c is missing (apt-get install iproute2 util-linux docker.io)"; done
  [ -x /bin/busybox ] || die "/bin/busybox is missing (apt-get install busybox-static)"
}

make_switch() {
  local sw; sw="$(ns sw)"
  ns_exists "$sw" || ip netns add "$sw"
  in_ns "$sw" ip link set lo up
  in_ns "$sw" ip link show br0 >/dev/null 2>&1 || in_ns "$sw" ip link add br0 type bridge
  in_ns "$sw" ip link set br0 up
  # The lab's "router" (no uplink, no forwarding): every host's default route points here, as a
  # real host's does to its LAN router, so that locally sent traffic to a service IP has a route
  # before the proxy's DNAT; whatever is not for the lab ends here.
  in_ns "$sw" ip addr replace "$SUBNET_PREFIX.1/24" dev br0
}

# Host $1 with address $2: a namespace whose eth0 is a veth to port $1 of the switch's bridge.
make_host() {
  local h="$1" addr="$2" n sw
  n="$(ns "$h")"; sw="$(ns sw)"
  ns_exists "$n" || ip netns add "$n"
  in_ns "$n" ip link set lo up
  if ! in_ns "$n" ip link show eth0 >/dev/null 2>&1; then
    # Made inside the switch namespace and moved: the root namespace never sees either end.
    in_ns "$sw" ip link del "$h" >/dev/null 2>&1 || true
    ip -n "$sw" link add "$h" type veth peer name eth0 netns "$n"
  fi
  ip -n "$sw" link set "$h" master br0
  ip -n "$sw" link set "$h" up
  in_ns "$n" ip addr replace "$addr/24" dev eth0
  in_ns "$n" ip link set eth0 up
  in_ns "$n" ip route replace default via "$SUBNET_PREFIX.1" dev eth0
}

# A rootfs of Debian's busybox-static (the image test/agent/helpers/test-image.ts builds).
image_tar() {
  local tar="$LAB_DIR/image/rootfs.tar" root="$LAB_DIR/image/rootfs" a d
  [ -f "$tar" ] && { echo "$tar"; return; }
  rm -rf "$root"
  mkdir -p "$root/bin"
  for d in tmp etc var/www proc sys dev; do mkdir -p "$root/$d"; done
  cp /bin/busybox "$root/bin/busybox"
  for a in "${APPLETS[@]}"; do ln -sf busybox "$root/bin/$a"; done
  tar -C "$root" -cf "$tar.tmp" .
  mv "$tar.tmp" "$tar"
  rm -rf "$root"
  echo "$tar"
}

start_dockerd() {
  local w="$1" dir="$LAB_DIR/$1" i
  if dockerd_pid "$w" >/dev/null && dockerd_answers "$w"; then return; fi
  mkdir -p "$dir/docker" "$dir/exec"
  rm -f "$(sock "$w")" "$dir/docker.pid"
  # setsid: the engine outlives this script; nsenter --net (not ip netns exec) keeps /sys and cgroups.
  in_ns "$(ns "$w")" setsid dockerd --data-root "$dir/docker" --exec-root "$dir/exec" --pidfile "$dir/docker.pid" \
    -H "unix://$(sock "$w")" --storage-driver vfs >"$dir/dockerd.log" 2>&1 </dev/null &
  for ((i = 0; i < 300; i++)); do
    dockerd_answers "$w" && return
    sleep 0.2
  done
  tail -20 "$dir/dockerd.log" >&2 || true
  die "dockerd of $w did not answer on $(sock "$w") within 60 s (log: $dir/dockerd.log)"
}

load_image() {
  local w="$1"
  dk "$w" image inspect "$TEST_IMAGE" >/dev/null 2>&1 ||
    dk "$w" import --change 'ENV PATH=/bin' --change 'CMD ["sh"]' "$(image_tar)" "$TEST_IMAGE" >/dev/null
  dk "$w" image inspect "$TEST_IMAGE_V2" >/dev/null 2>&1 || dk "$w" tag "$TEST_IMAGE" "$TEST_IMAGE_V2"
}

stop_dockerd() {
  local w="$1" pid i
  pid="$(dockerd_pid "$w")" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do alive "$pid" || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

dockerd_command() {
  local w="${1:-}" action="${2:-}"
  need
  [[ "$w" =~ ^w[0-9]$ ]] && [ "${w#w}" -ge 1 ] && [ "${w#w}" -le "$LAB_WORKERS" ] || die "dockerd: '$w' is not a worker of lab $LAB_NAME (w1..w$LAB_WORKERS)"
  ns_exists "$(ns "$w")" || die "dockerd: lab $LAB_NAME is not up ($(ns "$w") missing)"
  case "$action" in
    start) start_dockerd "$w"; load_image "$w"; echo "dockerd of $w is running ($(sock "$w"))" ;;
    stop) stop_dockerd "$w"; echo "dockerd of $w is stopped" ;;
    *) die "dockerd: expected start or stop, got '$action'" ;;
  esac
}

up() {
  need
  local fresh=0 h addr w
  ns_exists "$(ns sw)" || fresh=1
  if [ "$fresh" -eq 1 ]; then
    # A first `up` that fails (any command, `die` included: set -e exits) takes down what it made.
    trap 'rc=$?; if [ "$rc" -ne 0 ]; then echo "lab: up failed; removing what it made" >&2; down >/dev/null 2>&1 || true; fi' EXIT
  fi
  mkdir -p "$LAB_DIR/image"
  make_switch
  while read -r h addr; do make_host "$h" "$addr"; done < <(hosts)
  for w in $(workers); do
    start_dockerd "$w"
    load_image "$w"
  done
  trap - EXIT
  status
}

# Every process whose network namespace is one of the lab's: TERM, then KILL after 10 s.
kill_lab_processes() {
  local pids=() n p i
  for n in "$@"; do
    ns_exists "$n" || continue
    for p in $(ip netns pids "$n" 2>/dev/null); do pids+=("$p"); done
  done
  [ "${#pids[@]}" -eq 0 ] && return
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    local left=0
    for p in "${pids[@]}"; do alive "$p" && left=$((left + 1)); done
    [ "$left" -eq 0 ] && return
    sleep 0.1
  done
  for p in "${pids[@]}"; do alive "$p" && kill -KILL "$p" 2>/dev/null || true; done
}

down() {
  check_env
  local w pid i names=() h addr m
  [ "$(id -u)" -eq 0 ] || die "must run as root"
  # Containers first, through their engine (their processes live in namespaces of their own).
  for w in $(workers); do
    if dockerd_answers "$w"; then
      local ids
      ids="$(dk "$w" ps -aq 2>/dev/null || true)"
      [ -n "$ids" ] && dk "$w" rm -f -v $ids >/dev/null 2>&1 || true
      dk "$w" network rm shoal >/dev/null 2>&1 || true
    fi
    stop_dockerd "$w"
  done
  while read -r h addr; do names+=("$(ns "$h")"); done < <(hosts)
  names+=("$(ns sw)")
  # Agents, control planes, shims and anything else a test started inside a lab host.
  kill_lab_processes "${names[@]}"
  # Mounts an engine left under LAB_DIR (deepest first).
  if [ -d "$LAB_DIR" ]; then
    while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(awk -v d="$LAB_DIR/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r)
  fi
  # Deleting a namespace deletes its veth end, and the switch's deletion its bridge.
  for h in "${names[@]}"; do ns_exists "$h" && ip netns del "$h" 2>/dev/null || true; done
  rm -rf "$LAB_DIR"
  # The default parent goes too once no lab is left in it.
  [ "$(dirname "$LAB_DIR")" = /var/lib/shoal-lab ] && rmdir /var/lib/shoal-lab 2>/dev/null || true
  echo "lab $LAB_NAME is down"
}

status() {
  check_env
  local h addr n state w pid
  if ! ns_exists "$(ns sw)"; then echo "lab $LAB_NAME: not up"; return 0; fi
  echo "lab $LAB_NAME (dir $LAB_DIR, switch $(ns sw)/br0)"
  while read -r h addr; do
    n="$(ns "$h")"
    if ns_exists "$n"; then
      state="$(in_ns "$n" ip -4 -o addr show dev eth0 2>/dev/null | awk '{print $4}' | head -1)"
      state="${state:-no address}"
    else
      state="missing"
    fi
    printf '  %-16s %-14s %s' "$n" "$addr" "$state"
    if [[ "$h" == w* ]]; then
      w="$h"
      if pid="$(dockerd_pid "$w")" && dockerd_answers "$w"; then
        printf '  dockerd running (pid %s, %s)' "$pid" "$(sock "$w")"
      else
        printf '  dockerd not running'
      fi
    fi
    printf '\n'
  done < <(hosts)
}

# ---------------------------------------------------------------- installed hosts
host_ok() { # HOST exists in this lab
  local h="${1:-}"
  [[ "$h" =~ ^(cp[0-9]|w[0-9]|client)$ ]] || die "'$h' is not a lab host name (cp1.., w1.., client)"
  ns_exists "$(ns "$h")" || die "host $h is not up in lab $LAB_NAME ($(ns "$h") missing; scripts/lab.sh up)"
}
role_ok() { case "${1:-}" in control-plane | agent) ;; *) die "expected control-plane or agent, got '${1:-}'" ;; esac; }
host_root() { echo "$LAB_DIR/$1/root"; }

bundle_command() {
  local src="${1:-}" dst="$LAB_DIR/bundle"
  need
  [ -n "$src" ] || die "bundle: give the release tarball (npm run release) or an extracted bundle directory"
  mkdir -p "$LAB_DIR"
  rm -rf "$dst" "$dst.tmp"
  mkdir -p "$dst.tmp"
  if [ -d "$src" ]; then
    cp -a "$src/." "$dst.tmp/"
  elif [ -f "$src" ]; then
    tar -xzf "$src" -C "$dst.tmp" --strip-components=1
  else
    die "bundle: $src is neither a tarball nor a directory"
  fi
  [ -x "$dst.tmp/scripts/install.sh" ] && [ -f "$dst.tmp/BUILD.json" ] || { rm -rf "$dst.tmp"; die "bundle: $src is not a Shoal release (no scripts/install.sh, BUILD.json)"; }
  mv "$dst.tmp" "$dst"
  echo "bundle $(sed -nE 's/^[[:space:]]*"version":[[:space:]]*"([^"]+)".*/\1/p' "$dst/BUILD.json" | head -n1) in $dst"
}

install_command() {
  local h="${1:-}"
  need
  host_ok "$h"
  shift
  [ -x "$LAB_DIR/bundle/scripts/install.sh" ] || die "install: no bundle in $LAB_DIR/bundle (scripts/lab.sh bundle TARBALL first)"
  bash "$LAB_DIR/bundle/scripts/install.sh" --root "$(host_root "$h")" --skip-checks --no-start "$@"
}

# The installed paths as HOST sees them: /opt/shoal, /etc/shoal and /var/lib/shoal live in its root.
rooted() { sed -E "s#(^|[[:space:]=\"'])/(opt|etc|var/lib)/shoal([/[:space:]\"']|$)#\1$1/\2/shoal\3#g"; }

# The unit's commands as one sh script: environment file, ExecStartPre (each must succeed), exec ExecStart.
unit_script() {
  local root="$1" role="$2" unit f line
  unit="$root/etc/systemd/system/shoal-$role.service"
  [ -f "$unit" ] || die "start: $unit not found (scripts/lab.sh install ${root##*/../} $role ... first)"
  echo "set -a"
  while read -r f; do
    f="$(rooted "$root" <<<"$f")"
    [ -f "$f" ] || die "start: the unit's EnvironmentFile $f is missing"
    grep -E '^[A-Z_][A-Z0-9_]*=' "$f" | rooted "$root"
  done < <(sed -nE 's/^EnvironmentFile=-?(.*)$/\1/p' "$unit")
  echo "set +a"
  while read -r line; do echo "( $line ) || exit 1"; done < <(sed -nE 's/^ExecStartPre=(.*)$/\1/p' "$unit" | rooted "$root")
  echo "exec $(sed -nE 's/^ExecStart=(.*)$/\1/p' "$unit" | head -n1 | rooted "$root")"
}

live_pid_in() { # the pid in file $1 when that process runs
  local pid
  pid="$(cat "$1" 2>/dev/null)" || return 1
  [ -n "$pid" ] && alive "$pid" || return 1
  echo "$pid"
}
unit_pid() { live_pid_in "$LAB_DIR/$1/$2.pid"; }              # main pid of HOST's ROLE
supervisor_pid() { live_pid_in "$LAB_DIR/$1/$2.supervisor"; } # its Restart=always loop

start_command() {
  local h="${1:-}" role="${2:-}" dir script
  need
  host_ok "$h"
  role_ok "$role"
  dir="$LAB_DIR/$h"
  if supervisor_pid "$h" "$role" >/dev/null; then echo "$role on $h is already running"; return 0; fi
  script="$dir/$role.sh"
  unit_script "$(host_root "$h")" "$role" >"$script.tmp"
  mv "$script.tmp" "$script"
  rm -f "$dir/$role.stopping" "$dir/$role.pid"
  # The supervisor plays systemd: Restart=always, RestartSec=5, until `stop` marks the unit stopping.
  # shellcheck disable=SC2016
  in_ns "$(ns "$h")" setsid env -i PATH="$UNIT_PATH" HOME=/root LANG=C.UTF-8 bash -c '
    dir=$1 role=$2
    echo $$ >"$dir/$role.supervisor"
    while :; do
      echo "-- lab: starting shoal-$role ($(date -u +%FT%TZ))"
      sh "$dir/$role.sh" &
      echo $! >"$dir/$role.pid"
      wait $!
      rc=$?
      [ -f "$dir/$role.stopping" ] && break
      echo "-- lab: shoal-$role exited ($rc); restarting in 5 s (Restart=always)"
      sleep 5
      [ -f "$dir/$role.stopping" ] && break
    done
    rm -f "$dir/$role.pid" "$dir/$role.supervisor"' lab-unit "$dir" "$role" >>"$dir/$role.log" 2>&1 </dev/null &
  local i
  for ((i = 0; i < 100; i++)); do unit_pid "$h" "$role" >/dev/null && break; sleep 0.05; done
  unit_pid "$h" "$role" >/dev/null || die "start: shoal-$role on $h did not start (log: $dir/$role.log)"
  echo "shoal-$role on $h started (pid $(unit_pid "$h" "$role"), log $dir/$role.log)"
}

stop_command() {
  local h="${1:-}" role="${2:-}" dir pid sup i
  need
  host_ok "$h"
  role_ok "$role"
  dir="$LAB_DIR/$h"
  touch "$dir/$role.stopping"
  sup="$(supervisor_pid "$h" "$role" || true)"
  if pid="$(unit_pid "$h" "$role")"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do alive "$pid" || break; sleep 0.1; done
    # KillMode=mixed: what is left of the unit gets SIGKILL.
    alive "$pid" && { pkill -KILL -P "$pid" 2>/dev/null || true; kill -KILL "$pid" 2>/dev/null || true; }
  fi
  if [ -n "$sup" ]; then
    for ((i = 0; i < 100; i++)); do alive "$sup" || break; sleep 0.1; done
    alive "$sup" && kill -KILL "$sup" 2>/dev/null || true
  fi
  rm -f "$dir/$role.pid" "$dir/$role.supervisor"
  echo "shoal-$role on $h stopped"
}

kill_command() {
  local h="${1:-}" role="${2:-}" pid
  need
  host_ok "$h"
  role_ok "$role"
  pid="$(unit_pid "$h" "$role")" || die "kill: shoal-$role does not run on $h"
  kill -KILL "$pid"
  echo "shoal-$role on $h killed (pid $pid); it restarts in 5 s"
}

pid_command() {
  host_ok "${1:-}"
  role_ok "${2:-}"
  unit_pid "$1" "$2"
}

check_env
case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  dockerd) shift; dockerd_command "$@" ;;
  bundle) shift; bundle_command "$@" ;;
  install) shift; install_command "$@" ;;
  start) shift; start_command "$@" ;;
  stop) shift; stop_command "$@" ;;
  kill) shift; kill_command "$@" ;;
  pid) shift; pid_command "$@" ;;
  *) echo "usage: $0 up|down|status|dockerd HOST start|stop|bundle TARBALL|install HOST ARGS|start|stop|kill|pid HOST ROLE   (env LAB_NAME, LAB_WORKERS, LAB_CONTROL_PLANES, LAB_DIR)" >&2; exit 2 ;;
esac
