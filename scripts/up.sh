#!/usr/bin/env bash
# Starts Shoal on this machine. As root where network namespaces work: the lab (scripts/lab.sh),
# a multi-host cluster of namespaces on a bridge (10.77.0.0/24) where every host runs the release
# bundle (npm run release -> dist/shoal-<version>.tar.gz) as scripts/install.sh installs it and its
# systemd unit as systemd would (scripts/lab.sh install/start): a secure control plane (init on
# shoal-cp1, join with the certificate key on shoal-cp2..3, 10.77.0.11-13), a bootstrap token
# (shoalctl token create) and `agent join` on shoal-w1..2 (10.77.0.21-22, each with its own
# dockerd), a client host (10.77.0.100), and a demo (Deployment demo of 3 busybox httpd pods +
# Service demo, NodePort) answered from w1 (ClusterIP) and from the client (NodePort).
# Elsewhere (not root, or `ip netns add` fails) it says so loudly and falls back to three
# dev-mode control-plane members from the source tree on 127.0.0.1 (below). Nothing ever targets
# an address outside loopback or the lab's namespaces.
#
#   scripts/up.sh          install what is missing, build the release, start the cluster and the
#                          demo; print what to try (idempotent: what runs is left alone)
#   scripts/up.sh status   hosts, units, store members, nodes
#   scripts/up.sh down     remove everything: the lab (scripts/lab.sh down) and shoalctl's config
#   scripts/up.sh kill cpN kill -9 the control plane on lab host cpN (a failover; it restarts 5 s
#                          later, as systemd's Restart=always would)
#
# shoalctl for the lab: $SHOAL_DATA/shoalctl (runs the bundle's shoalctl in the client host with
# $SHOAL_DATA/shoalctl.conf: all three API servers, admin credentials). SHOAL_DATA defaults to
# /tmp/shoal-up; LAB_NAME (default shoal) names the lab (another name = another lab, data in
# /tmp/shoal-up-$LAB_NAME). SHOAL_UP_LOOPBACK=1 asks for the loopback fallback even as root.
# SHOAL_UP_BUNDLE=<tarball or extracted dir> installs that release instead of building one.
#
# Loopback fallback: three shoal-control-plane processes, each a cluster store member (etcd v3
# API, Raft between members, WAL with fsync) with the API server next to it. Ports (127.0.0.1):
#   member   client   peer    metrics   API (gRPC)   API (HTTP)
#   infra1   2379     2380    2381      6443         6444
#   infra2   22379    22380   22381     16443        16444
#   infra3   32379    32380   32381     26443        26444
# The Raft demo (raft/demo/kv-server.ts) is still there to run by hand; it is no longer started here.
set -euo pipefail
cd "$(dirname "$0")/.."

# The lab's name (its namespaces are $LAB_NAME-cp1...); another name gives a second, separate lab.
LAB_NAME="${LAB_NAME:-shoal}"
[[ "$LAB_NAME" =~ ^[a-z][a-z0-9-]{0,11}$ ]] || { echo "up.sh: LAB_NAME \"$LAB_NAME\" must be 1-12 lower-case letters, digits or '-'" >&2; exit 2; }
if [ "$LAB_NAME" = shoal ]; then DATA="${SHOAL_DATA:-/tmp/shoal-up}"; else DATA="${SHOAL_DATA:-/tmp/shoal-up-$LAB_NAME}"; fi
RUN="$DATA/run"
NAMES=(infra1 infra2 infra3)
CLIENT_PORTS=(2379 22379 32379)
PEER_PORTS=(2380 22380 32380)
METRICS_PORTS=(2381 22381 32381)
API_PORTS=(6443 16443 26443)
API_HTTP_PORTS=(6444 16444 26444)
CLUSTER="infra1=http://127.0.0.1:2380,infra2=http://127.0.0.1:22380,infra3=http://127.0.0.1:32380"
ENDPOINTS="127.0.0.1:2379,127.0.0.1:22379,127.0.0.1:32379"
export ETCDCTL_API=3

alive() { # a zombie (exited, not yet reaped by whoever adopted it) counts as gone
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  ! grep -q '^[0-9]* (.*) Z' <<<"$stat"
}

pid_of() { # pid_of <name> [<command pattern>]: the pid of $1 if it runs (and really is ours)
  local f="$RUN/$1.pid" pid pat="${2:-shoal-control-plane}"
  [ -f "$f" ] || return 1
  pid="$(cat "$f")"
  [ -n "$pid" ] && alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$pat" || return 1
  echo "$pid"
}

status_loopback() {
  local name pid
  for name in "${NAMES[@]}"; do
    if pid="$(pid_of "$name")"; then echo "$name: running (pid $pid)"; else echo "$name: not running"; fi
  done
  etcdctl --endpoints "$ENDPOINTS" --dial-timeout=2s endpoint status -w table 2>/dev/null || true
}

down_loopback() {
  local name pid pids=() names=()
  for name in "${NAMES[@]}"; do
    if pid="$(pid_of "$name")"; then pids+=("$pid"); names+=("$name"); fi
  done
  if [ "${#pids[@]}" -eq 0 ]; then
    echo "no member was running"
  else
    # graceful stop, all at once: a leader hands leadership over (bounded), then each exits;
    # whatever is still alive after 15 s gets SIGKILL
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 1 150); do
      local left=0
      for pid in "${pids[@]}"; do alive "$pid" && left=$((left + 1)); done
      [ "$left" -eq 0 ] && break
      sleep 0.1
    done
    for pid in "${pids[@]}"; do alive "$pid" && kill -KILL "$pid" 2>/dev/null || true; done
    echo "stopped ${names[*]}"
  fi
  for name in "${NAMES[@]}"; do rm -f "$RUN/$name.pid"; done
  echo "data kept in $DATA (remove it for a fresh cluster)"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

up_loopback() {
  # Idempotent: members already running are left alone, missing ones are (re)started with
  # their data dir (so after a kill -9, scripts/up.sh brings the member back).
  local i name started=()
  mkdir -p "$RUN"
  for i in "${!NAMES[@]}"; do
    name="${NAMES[$i]}"
    if pid_of "$name" >/dev/null; then continue; fi
    for p in "${CLIENT_PORTS[$i]}" "${PEER_PORTS[$i]}" "${METRICS_PORTS[$i]}" "${API_PORTS[$i]}" "${API_HTTP_PORTS[$i]}"; do
      if port_busy "$p"; then echo "port 127.0.0.1:$p ($name) is in use; free it and retry (a Raft demo or an etcd still running?)" >&2; exit 1; fi
    done
    setsid nohup node bin/shoal-control-plane.js --name "$name" --data-dir "$DATA/$name" \
      --listen-client-urls "http://127.0.0.1:${CLIENT_PORTS[$i]}" --advertise-client-urls "http://127.0.0.1:${CLIENT_PORTS[$i]}" \
      --listen-peer-urls "http://127.0.0.1:${PEER_PORTS[$i]}" --initial-advertise-peer-urls "http://127.0.0.1:${PEER_PORTS[$i]}" \
      --initial-cluster "$CLUSTER" --initial-cluster-state new --initial-cluster-token shoal-up \
      --listen-metrics-urls "http://127.0.0.1:${METRICS_PORTS[$i]}" \
      --api-listen-address "127.0.0.1:${API_PORTS[$i]}" --api-http-listen-address "127.0.0.1:${API_HTTP_PORTS[$i]}" --control-loops=true \
      >>"$DATA/$name.log" 2>&1 </dev/null &
    echo $! >"$RUN/$name.pid"
    started+=("$name")
  done
  if [ "${#started[@]}" -eq 0 ]; then echo "== all members were already running"; else echo "== started ${started[*]}"; fi
  echo "== logs in $DATA/<member>.log; waiting for a leader"

  local ok=0
  for _ in $(seq 1 120); do
    if etcdctl --endpoints "$ENDPOINTS" --dial-timeout=1s --command-timeout=2s endpoint health >/dev/null 2>&1; then ok=1; break; fi
    sleep 0.25
  done
  if [ "$ok" != 1 ]; then
    echo "the members did not become healthy within 30 s; last log lines:" >&2
    tail -n 20 "$DATA"/infra*.log >&2 || true
    exit 1
  fi
  etcdctl --endpoints "$ENDPOINTS" endpoint status -w table

  echo "== waiting for the API servers (/readyz)"
  local port ready
  for port in "${API_HTTP_PORTS[@]}"; do
    ready=0
    for _ in $(seq 1 120); do
      if node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(2000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "http://127.0.0.1:$port/readyz"; then ready=1; break; fi
      sleep 0.25
    done
    if [ "$ready" != 1 ]; then
      echo "the API server with HTTP port $port is not ready within 30 s; last log lines:" >&2
      tail -n 20 "$DATA"/infra*.log >&2 || true
      exit 1
    fi
  done
  echo "API servers ready on 127.0.0.1:${API_PORTS[0]}, :${API_PORTS[1]}, :${API_PORTS[2]}"

  echo "== demo: put on one member, read it back from every member (linearizable reads)"
  etcdctl --endpoints 127.0.0.1:2379 put /registry/demo/greeting 'hello from shoal'
  for port in "${CLIENT_PORTS[@]}"; do
    echo "127.0.0.1:$port -> $(etcdctl --endpoints "127.0.0.1:$port" get /registry/demo/greeting --print-value-only)"
  done
  cat <<EOF2

Shoal control plane is up on 127.0.0.1:
  API servers (gRPC)     6443 / 16443 / 26443   (shoal.api.v1.Api, Cluster, grpc.health.v1)
  API /livez /readyz /metrics on http://127.0.0.1:6444 / 16444 / 26444
  store members          clients 2379/22379/32379, peers 2380/22380/32380, metrics 2381/22381/32381
  curl -s http://127.0.0.1:6444/readyz; curl -s http://127.0.0.1:6444/metrics | grep ^shoal_apiserver
  etcdctl get /registry/namespaces/ --prefix --keys-only   # the API's objects, as JSON
  scheduler + controller manager run on one host at a time (--control-loops=true; Leases in kube-system)
With shoalctl (bin/shoalctl.js; npm link or alias shoalctl="node \$PWD/bin/shoalctl.js"):
  shoalctl config set-servers 127.0.0.1:6443,127.0.0.1:16443,127.0.0.1:26443
  shoalctl apply -f deploy.yaml; shoalctl get deploy,rs,pods -o wide; shoalctl describe deploy <name>
  shoalctl get componentstatuses; shoalctl members; shoalctl get events --watch
With Debian's etcdctl:
  export ETCDCTL_API=3 ETCDCTL_ENDPOINTS=$ENDPOINTS
  etcdctl put /demo/web-1 hello                      # (keys under /registry/ belong to the API server)
  etcdctl get /registry/ --prefix --keys-only
  etcdctl get /registry/namespaces/default -w json
  etcdctl watch /registry/ --prefix                  # in another terminal
  etcdctl lease grant 30; etcdctl put k v --lease=<id>; etcdctl lease timetolive --keys <id>
  etcdctl member list -w table; etcdctl endpoint status -w table; etcdctl endpoint health
  etcdctl snapshot save /tmp/shoal.snap --endpoints 127.0.0.1:2379
  curl -s http://127.0.0.1:2381/metrics | grep ^shoal_store
  kill -9 \$(cat $RUN/infra1.pid)                    # try a failover; scripts/up.sh restarts it
  scripts/up.sh status                               # all members at a glance
  scripts/up.sh down                                 # stop everything (data stays in $DATA)
EOF2
}


# ---- the lab: 3 control-plane hosts + 2 workers, each a network namespace (scripts/lab.sh) ----
# Every host runs the release bundle (npm run release) as scripts/install.sh lays it out, under
# $LAB_DIR/<host>/root, and its systemd unit as systemd would (scripts/lab.sh start: environment
# file, ExecStartPre, ExecStart, Restart=always after 5 s). The cluster is the secure one:
# `control-plane init` on cp1, `control-plane join` with the certificate key on cp2 and cp3, a
# bootstrap token from `shoalctl token create` and `agent join` on w1 and w2.
LAB_DIR="/var/lib/shoal-lab/$LAB_NAME"
LAB_CPS=(cp1 cp2 cp3)
LAB_CP_IPS=(10.77.0.11 10.77.0.12 10.77.0.13)
LAB_WORKERS=(w1 w2)
LAB_WORKER_IPS=(10.77.0.21 10.77.0.22)
LAB_SERVERS="10.77.0.11:6443,10.77.0.12:6443,10.77.0.13:6443"
BUNDLE_DIR="$LAB_DIR/bundle"
SHOALCTL_CONF="$DATA/shoalctl.conf"
SHOALCTL_WRAPPER="$DATA/shoalctl"
MODE_FILE="$RUN/mode"
# cp1's admin config as init writes it (only cp1's API server in it).
CP1_ADMIN_CONF="$LAB_DIR/cp1/root/etc/shoal/admin.conf"
# The bundle's programs run with no NODE_OPTIONS inherited from the caller's shell (as under systemd).
UNIT_NODE_OPTIONS=""

lab() { LAB_NAME="$LAB_NAME" LAB_DIR="$LAB_DIR" LAB_CONTROL_PLANES=3 LAB_WORKERS=2 bash scripts/lab.sh "$@"; }
in_host() { local h="$1"; shift; nsenter --net="/var/run/netns/$LAB_NAME-$h" "$@"; }
# The bundle's shoalctl in the client host with config $1 (bounded: a dead server is not a hang).
bundle_ctl() { local conf="$1"; shift; timeout 30 nsenter --net="/var/run/netns/$LAB_NAME-client" env NODE_OPTIONS="$UNIT_NODE_OPTIONS" "$BUNDLE_DIR/bin/shoalctl" --config "$conf" "$@"; }
# ... with all three API servers (failover): what the user gets as $SHOAL_DATA/shoalctl.
shoalctl_lab() { bundle_ctl "$SHOALCTL_CONF" "$@"; }
unit_installed() { [ -f "$LAB_DIR/$1/root/etc/systemd/system/shoal-$2.service" ]; }

# Network namespaces need root and a kernel that allows them (not in every container).
lab_possible() {
  [ "${SHOAL_UP_LOOPBACK:-}" != 1 ] || { LAB_WHY="SHOAL_UP_LOOPBACK=1"; return 1; }
  [ "$(id -u)" -eq 0 ] || { LAB_WHY="not root"; return 1; }
  local probe="shoal-probe-$$"
  if ! ip netns add "$probe" 2>/dev/null; then LAB_WHY="'ip netns add' fails here"; return 1; fi
  ip netns delete "$probe" 2>/dev/null || true
}

wait_until() { # wait_until <what> <seconds> <command...>: polls every second, bounded
  local what="$1" secs="$2"; shift 2
  for _ in $(seq 1 "$secs"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "timed out after ${secs}s waiting for $what" >&2
  return 1
}

lab_fail() { # what went wrong, the units' last log lines, and how to clean up
  local f
  echo "up.sh: $*; last log lines:" >&2
  for f in "$LAB_DIR"/cp*/control-plane.log "$LAB_DIR"/w*/agent.log; do
    [ -f "$f" ] && { echo "--- $f" >&2; tail -n 12 "$f" >&2; }
  done
  echo "up.sh: 'scripts/up.sh down' removes everything" >&2
  exit 1
}

json_check() { # json_check <js expression over `o`> < json: exit 0 when it is true
  node -e 'let s="";process.stdin.on("data",(d)=>s+=d).on("end",()=>{const o=JSON.parse(s);process.exit((0,eval)("(o)=>"+process.argv[1])(o)?0:1)})' "$1"
}
json_get() { # json_get <js expression over `o`> < json: prints its value
  node -e 'let s="";process.stdin.on("data",(d)=>s+=d).on("end",()=>{const o=JSON.parse(s);console.log((0,eval)("(o)=>"+process.argv[1])(o))})' "$1"
}
lab_api_ready() { in_host client node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(2000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "http://$1:6444/readyz"; }
# Member $1 is a voter (promoted from learner) and healthy.
lab_member_voting() { bundle_ctl "$CP1_ADMIN_CONF" members -o json | json_check "o.members.some((m)=>m.name===\"$1\"&&!m.learner&&m.healthy)"; }
lab_nodes_ready() { shoalctl_lab get nodes -o json | json_check 'o.items.length===2&&o.items.every((n)=>(n.status?.conditions??[]).some((c)=>c.type==="Ready"&&c.status==="True"))'; }
lab_pods_running() { shoalctl_lab get pods -l app=demo -o json | json_check 'o.items.filter((p)=>!p.metadata.deletionTimestamp&&p.status?.phase==="Running").length>=3'; }

DEMO_DEPLOYMENT='{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"demo","namespace":"default"},
 "spec":{"replicas":3,"selector":{"matchLabels":{"app":"demo"}},"template":{"metadata":{"labels":{"app":"demo"}},
 "spec":{"terminationGracePeriodSeconds":1,"containers":[{"name":"web","image":"shoal-test/busybox:1","imagePullPolicy":"Never",
 "command":["sh","-c","mkdir -p /www && echo \"hello from $(cat /etc/hostname)\" > /www/index.html && exec httpd -f -p 8080 -h /www"],
 "ports":[{"containerPort":8080}],"resources":{"requests":{"cpu":"100m","memory":"16Mi"}}}]}}}}'
DEMO_SERVICE='{"apiVersion":"v1","kind":"Service","metadata":{"name":"demo","namespace":"default"},
 "spec":{"type":"NodePort","selector":{"app":"demo"},"ports":[{"name":"http","port":80,"targetPort":8080,"protocol":"TCP"}]}}'

# The release tarball (the same file you would copy to servers and Pis), built from this tree.
build_release() {
  local out tarball
  echo "== npm run release"
  out="$(npm run --silent release)" || lab_fail "npm run release failed"
  tarball="$(awk '/\.tar\.gz/ { print $1; exit }' <<<"$out")"
  [ -f "$tarball" ] || lab_fail "npm run release did not say where the tarball is: $out"
  echo "$out"
  RELEASE_TARBALL="$tarball"
}

# The join arguments cp1's first start printed (HOST:PORT --token T --ca-cert-hash H --certificate-key K).
cp1_join_args() { sed -nE 's/^ *shoal-control-plane join (.* --certificate-key [0-9a-f]+) .*/\1/p' "$LAB_DIR/cp1/control-plane.log" 2>/dev/null | tail -n 1; }
bundle_version() { sed -nE 's/^[[:space:]]*"version":[[:space:]]*"([^"]+)".*/\1/p' "$BUNDLE_DIR/BUILD.json" 2>/dev/null | head -n 1; }
cp1_join_printed() { [ -n "$(cp1_join_args)" ]; }

# shoalctl's config for the user: every API server, the admin credentials copied next to it.
write_admin_config() {
  local f
  mkdir -p "$DATA/pki"
  chmod 0700 "$DATA/pki"
  for f in ca.crt admin.crt admin.key; do install -m 0600 "$LAB_DIR/cp1/root/var/lib/shoal/control-plane/pki/$f" "$DATA/pki/$f"; done
  umask 077
  printf 'servers: [%s]\nnamespace: default\ncredentials:\n  ca: %s\n  cert: %s\n  key: %s\n' \
    "${LAB_SERVERS//,/, }" "$DATA/pki/ca.crt" "$DATA/pki/admin.crt" "$DATA/pki/admin.key" >"$SHOALCTL_CONF"
  printf '#!/bin/sh\n# shoalctl from the lab'"'"'s client host (%s), all three API servers in its config.\nexec nsenter --net=/var/run/netns/%s env NODE_OPTIONS=%s %s --config %s "$@"\n' \
    "$LAB_NAME-client" "$LAB_NAME-client" "$UNIT_NODE_OPTIONS" "$BUNDLE_DIR/bin/shoalctl" "$SHOALCTL_CONF" >"$SHOALCTL_WRAPPER"
  umask 022
  chmod 0700 "$SHOALCTL_WRAPPER"
}

up_lab() {
  local t0=$SECONDS i name ip
  echo "== the lab: 3 control-plane hosts + 2 workers (network namespaces $LAB_NAME-*, 10.77.0.0/24)"
  lab up
  mkdir -p "$RUN"
  echo lab >"$MODE_FILE"
  # Idempotent: a lab that already has its bundle keeps it (the hosts run what they installed);
  # 'scripts/up.sh down' then 'scripts/up.sh' starts over with a fresh build.
  if [ ! -x "$BUNDLE_DIR/bin/shoalctl" ]; then
    if [ -n "${SHOAL_UP_BUNDLE:-}" ]; then
      echo "== the release given in SHOAL_UP_BUNDLE: $SHOAL_UP_BUNDLE"
      RELEASE_TARBALL="$SHOAL_UP_BUNDLE"
    else
      build_release
    fi
    lab bundle "$RELEASE_TARBALL"
  fi

  if ! unit_installed cp1 control-plane; then
    echo "== cp1: install.sh control-plane init --advertise-address 10.77.0.11 --name cp1"
    lab install cp1 control-plane init --advertise-address 10.77.0.11 --name cp1 >/dev/null
  fi
  lab start cp1 control-plane
  wait_until "cp1's API server" 90 lab_api_ready 10.77.0.11 || lab_fail "cp1's API server is not ready"

  local join_args=""
  for i in 1 2; do
    name="${LAB_CPS[$i]}" ip="${LAB_CP_IPS[$i]}"
    if ! unit_installed "$name" control-plane; then
      # The join line appears once init has published the cluster's secrets.
      [ -n "$join_args" ] || wait_until "the join command in cp1's log" 60 cp1_join_printed || true
      join_args="$(cp1_join_args)"
      [ -n "$join_args" ] || lab_fail "cp1 printed no 'shoal-control-plane join' line in $LAB_DIR/cp1/control-plane.log"
      echo "== $name: install.sh control-plane join ${join_args%% *} --token … --ca-cert-hash … --certificate-key … --advertise-address $ip --name $name"
      # shellcheck disable=SC2086 # the printed arguments, split on spaces
      lab install "$name" control-plane join $join_args --advertise-address "$ip" --name "$name" >/dev/null
    fi
    lab start "$name" control-plane
    # One membership change at a time: cp3 joins once cp2 votes.
    wait_until "$name to join the store as a voter" 120 lab_member_voting "$name" || lab_fail "$name did not join the store"
    wait_until "$name's API server" 60 lab_api_ready "$ip" || lab_fail "$name's API server is not ready"
  done
  bundle_ctl "$CP1_ADMIN_CONF" members
  write_admin_config
  echo "API servers ready on ${LAB_SERVERS//,/ }  (control plane up after $((SECONDS - t0)) s)"

  local join_line="" server token hash
  for i in "${!LAB_WORKERS[@]}"; do
    name="${LAB_WORKERS[$i]}" ip="${LAB_WORKER_IPS[$i]}"
    if ! unit_installed "$name" agent; then
      if [ -z "$join_line" ]; then
        join_line="$(shoalctl_lab token create --ttl 1h --description "scripts/up.sh workers")" || lab_fail "shoalctl token create failed"
        echo "== shoalctl token create -> ${join_line%% --token*} --token … --ca-cert-hash …"
      fi
      read -r _ _ server _ token _ hash <<<"$join_line"
      echo "== $name: install.sh agent join $server --token … --ca-cert-hash … --node-name $name --node-ip $ip"
      lab install "$name" agent join "$server" --token "$token" --ca-cert-hash "$hash" \
        --node-name "$name" --node-ip "$ip" --docker-socket "$LAB_DIR/$name/docker.sock" >/dev/null
    fi
    lab start "$name" agent
  done
  wait_until "both nodes Ready" 180 lab_nodes_ready || lab_fail "the nodes did not become Ready"
  shoalctl_lab get nodes -o wide
  echo "(cluster up after $((SECONDS - t0)) s)"

  echo "== demo: Deployment demo (3 busybox httpd pods) + Service demo (NodePort)"
  printf '%s' "$DEMO_DEPLOYMENT" | shoalctl_lab apply -f - || lab_fail "applying the demo Deployment failed"
  printf '%s' "$DEMO_SERVICE" | shoalctl_lab apply -f - || lab_fail "applying the demo Service failed"
  wait_until "3 demo pods Running" 180 lab_pods_running || lab_fail "the demo pods are not Running"
  shoalctl_lab get pods -o wide
  local svc cip nodeport answer=""
  svc="$(shoalctl_lab get service demo -o json)" || lab_fail "shoalctl get service demo failed"
  cip="$(json_get 'o.spec.clusterIP' <<<"$svc")"
  nodeport="$(json_get 'o.spec.ports[0].nodePort' <<<"$svc")"
  # The proxies program the service shortly after its endpoints exist: a few bounded tries.
  for _ in $(seq 1 30); do
    answer="$(in_host w1 timeout 5 /bin/busybox wget -qO- "http://$cip:80/" 2>/dev/null || true)"
    [ -n "$answer" ] && break
    sleep 1
  done
  [ -n "$answer" ] || lab_fail "the demo's ClusterIP $cip did not answer from w1 within 30 tries"
  echo "== from w1:     wget http://$cip/ -> $answer"
  answer=""
  for _ in $(seq 1 30); do
    answer="$(in_host client timeout 5 /bin/busybox wget -qO- "http://10.77.0.22:$nodeport/" 2>/dev/null || true)"
    [ -n "$answer" ] && break
    sleep 1
  done
  [ -n "$answer" ] || lab_fail "the demo's NodePort $nodeport on w2 did not answer from the client within 30 tries"
  echo "== from client: wget http://10.77.0.22:$nodeport/ -> $answer"
  echo "== up in $((SECONDS - t0)) s"

  local up="scripts/up.sh"
  [ "$LAB_NAME" = shoal ] || up="LAB_NAME=$LAB_NAME scripts/up.sh"
  cat <<EOF2

Shoal is up in the lab: every host runs the release bundle (shoal $(bundle_version), from $BUNDLE_DIR)
as scripts/install.sh installs it, with its systemd unit run as systemd would (Restart=always):
  control plane  $LAB_NAME-cp1..3  10.77.0.11-13  secure init/join (store 2379/2380 mTLS, API 6443 TLS, /readyz :6444)
  workers        $LAB_NAME-w1..2   10.77.0.21-22  shoal-agent (pods in 10.244.0.0/16; dockerd at $LAB_DIR/wN/docker.sock)
  client         $LAB_NAME-client  10.77.0.100
  each host's install: $LAB_DIR/<host>/root (/etc/shoal, /opt/shoal, /var/lib/shoal); unit logs: $LAB_DIR/<host>/<unit>.log
  demo           Service demo: ClusterIP $cip:80 (from any worker), NodePort $nodeport on every worker
shoalctl (runs the bundle's shoalctl in the client host, all three API servers in its config, admin credentials):
  alias shoalctl=$SHOALCTL_WRAPPER
Then try:
  shoalctl get nodes -o wide
  shoalctl get pods -o wide
  shoalctl members
  shoalctl get componentstatuses
  shoalctl scale deployment/demo --replicas=5
  shoalctl get events
  nsenter --net=/var/run/netns/$LAB_NAME-w2 sh -c 'for i in 1 2 3 4 5 6; do busybox wget -qO- http://$cip/; done'
  nsenter --net=/var/run/netns/$LAB_NAME-client busybox wget -qO- http://10.77.0.21:$nodeport/
  docker -H unix://$LAB_DIR/w1/docker.sock ps
  $up kill cp1     # kill -9 cp1's control plane: the others keep serving; it restarts 5 s later (Restart=always)
  $up status       # hosts, units, store members, nodes
  $up down         # remove everything (the lab, its hosts' installs, shoalctl's config)
EOF2
}

status_lab() {
  local name role pid
  lab status || true
  [ -e "/var/run/netns/$LAB_NAME-client" ] || return 0
  for name in "${LAB_CPS[@]}" "${LAB_WORKERS[@]}"; do
    role=control-plane
    [[ "$name" == w* ]] && role=agent
    if ! unit_installed "$name" "$role"; then echo "$name: shoal-$role not installed"
    elif pid="$(lab pid "$name" "$role" 2>/dev/null)"; then echo "$name: shoal-$role running (pid $pid)"
    else echo "$name: shoal-$role not running"; fi
  done
  if [ -f "$SHOALCTL_CONF" ] && [ -x "$BUNDLE_DIR/bin/shoalctl" ]; then
    shoalctl_lab members 2>/dev/null || true
    shoalctl_lab get nodes -o wide 2>/dev/null || true
  fi
}

down_lab() {
  # lab.sh down ends everything in the lab's namespaces (units and their supervisors, dockerds,
  # containers), unmounts, removes the namespaces and $LAB_DIR (every host's install).
  if [ "$(id -u)" -eq 0 ]; then lab down; fi
  rm -rf "${DATA:?}/pki"
  rm -f "$SHOALCTL_CONF" "$SHOALCTL_WRAPPER" "$MODE_FILE"
  rmdir "$RUN" "$DATA" 2>/dev/null || true
  echo "lab down: units, namespaces $LAB_NAME-*, dockerds, containers, $LAB_DIR and shoalctl's config removed"
}

kill_lab() { # kill -9 one control-plane host's process; the lab's Restart=always brings it back
  unit_installed "$1" control-plane || { echo "$1: no control plane installed (scripts/up.sh first)" >&2; exit 1; }
  lab kill "$1" control-plane
  echo "shoalctl keeps working through the other two API servers; watch: shoalctl members"
}

mode() { cat "$MODE_FILE" 2>/dev/null || echo none; }

up() {
  source scripts/lib/ensure-deps.sh
  ensure_debian_packages
  ensure_node || exit 1
  ensure_node_modules
  # proto/gen/ is made again only when a .proto changed since (others may be using it).
  if [ ! -d proto/gen ] || [ -n "$(find proto -name '*.proto' -not -path 'proto/gen/*' -newer proto/gen -print -quit)" ]; then
    npm run --silent gen
  fi
  if [ "$(mode)" != loopback ] && lab_possible; then up_lab; return; fi
  [ "$(mode)" = loopback ] || echo "
******************************************************************************
*  NO LAB (${LAB_WHY:-}): no network namespaces for a multi-host lab, so this
*  starts ONLY a control plane, as 3 processes on 127.0.0.1, in DEV MODE from
*  the source tree: not the release bundle, NO TLS and NO authentication (every
*  caller is an admin), no workers, no pods. For the real thing run as root
*  where 'ip netns add' works.
******************************************************************************
" >&2
  mkdir -p "$RUN"
  echo loopback >"$MODE_FILE"
  up_loopback
}

status() { if [ "$(mode)" = loopback ]; then status_loopback; else status_lab; fi; }
down() {
  if [ "$(mode)" = loopback ]; then down_loopback; rm -f "$MODE_FILE"; else down_lab; fi
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  status) status ;;
  kill) [[ "${2:-}" =~ ^cp[1-3]$ ]] || { echo "usage: scripts/up.sh kill cp1|cp2|cp3" >&2; exit 2; }; kill_lab "$2" ;;
  *) echo "usage: scripts/up.sh [up|down|status|kill cpN]" >&2; exit 2 ;;
esac
