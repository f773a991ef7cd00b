#!/usr/bin/env bash
# Starts Shoal on this machine. As root where network namespaces work: the lab (scripts/lab.sh),
# a multi-host cluster of namespaces on a bridge (10.77.0.0/24): a 3-member dev-mode control plane
# (store + API server + control loops) on shoal-cp1..3 (10.77.0.11-13), an agent on each of
# shoal-w1..2 (10.77.0.21-22, each with its own dockerd), a client host (10.77.0.100), and a demo
# (Deployment demo of 3 busybox httpd pods + Service demo, NodePort) answered from w1.
# Elsewhere (not root, or `ip netns add` fails) it says so loudly and falls back to three
# control-plane members on 127.0.0.1 (below). Nothing ever targets an address outside loopback or
# the lab's namespaces.
#
#   scripts/up.sh          install what is missing, start the cluster, the demo; print what to try
#   scripts/up.sh status   hosts, processes, store members (and nodes in the lab)
#   scripts/up.sh down     stop agents and control planes; remove the lab (idempotent)
#   scripts/up.sh kill cpN kill -9 the control plane on lab host cpN (try a failover)
#
# Data, logs and pid files live under ${SHOAL_DATA:-/tmp/shoal-up}; shoalctl's config for the lab
# is $SHOAL_DATA/shoalctl.conf. SHOAL_UP_LOOPBACK=1 asks for the loopback fallback even as root.
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

DATA="${SHOAL_DATA:-/tmp/shoal-up}"
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
LAB_NAME=shoal
LAB_DIR="/var/lib/shoal-lab/$LAB_NAME"
LAB_CPS=(cp1 cp2 cp3)
LAB_CP_IPS=(10.77.0.11 10.77.0.12 10.77.0.13)
LAB_WORKERS=(w1 w2)
LAB_WORKER_IPS=(10.77.0.21 10.77.0.22)
LAB_CLUSTER="cp1=http://10.77.0.11:2380,cp2=http://10.77.0.12:2380,cp3=http://10.77.0.13:2380"
LAB_ENDPOINTS="10.77.0.11:2379,10.77.0.12:2379,10.77.0.13:2379"
LAB_SERVERS="10.77.0.11:6443,10.77.0.12:6443,10.77.0.13:6443"
SHOALCTL_CONF="$DATA/shoalctl.conf"
MODE_FILE="$RUN/mode"
export SHOAL_CONFIG="$SHOALCTL_CONF"

lab_env() { LAB_NAME="$LAB_NAME" LAB_DIR="$LAB_DIR" LAB_CONTROL_PLANES=3 LAB_WORKERS=2 "$@"; }
in_host() { local h="$1"; shift; nsenter --net="/var/run/netns/$LAB_NAME-$h" "$@"; }
# shoalctl from the client host, with the lab's config (all three API servers, failover)
shoalctl_lab() { timeout 30 nsenter --net="/var/run/netns/$LAB_NAME-client" node bin/shoalctl.js --config "$SHOALCTL_CONF" "$@"; }

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

lab_fail() { # what went wrong, the last log lines, and how to clean up
  echo "up.sh: $*; last log lines:" >&2
  tail -n 15 "$DATA"/cp*.log "$DATA"/w*.log 2>/dev/null >&2 || true
  echo "up.sh: 'scripts/up.sh down' removes everything" >&2
  exit 1
}

start_in_host() { # start_in_host <host> <name> <cmd...>: detached, log and pid file under $DATA
  local host="$1" name="$2"; shift 2
  setsid nohup nsenter --net="/var/run/netns/$LAB_NAME-$host" "$@" >>"$DATA/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid" # nsenter execs the command: this is the process itself
}

lab_cp_healthy() { in_host client etcdctl --endpoints "$LAB_ENDPOINTS" --dial-timeout=1s --command-timeout=2s endpoint health; }
lab_api_ready() { in_host client node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(2000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "http://$1:6444/readyz"; }
json_check() { # json_check <js expression over `o`> < json: exit 0 when it is true
  node -e 'let s="";process.stdin.on("data",(d)=>s+=d).on("end",()=>{const o=JSON.parse(s);process.exit((0,eval)("(o)=>"+process.argv[1])(o)?0:1)})' "$1"
}
lab_nodes_ready() { shoalctl_lab get nodes -o json | json_check 'o.items.length===2&&o.items.every((n)=>(n.status?.conditions??[]).some((c)=>c.type==="Ready"&&c.status==="True"))'; }
lab_pods_running() { shoalctl_lab get pods -l app=demo -o json | json_check 'o.items.filter((p)=>!p.metadata.deletionTimestamp&&p.status?.phase==="Running").length>=3'; }

DEMO_DEPLOYMENT='{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"demo","namespace":"default"},
 "spec":{"replicas":3,"selector":{"matchLabels":{"app":"demo"}},"template":{"metadata":{"labels":{"app":"demo"}},
 "spec":{"terminationGracePeriodSeconds":1,"containers":[{"name":"web","image":"shoal-test/busybox:1","imagePullPolicy":"Never",
 "command":["sh","-c","mkdir -p /www && echo \"hello from $(cat /etc/hostname)\" > /www/index.html && exec httpd -f -p 8080 -h /www"],
 "ports":[{"containerPort":8080}],"resources":{"requests":{"cpu":"100m","memory":"16Mi"}}}]}}}}'
DEMO_SERVICE='{"apiVersion":"v1","kind":"Service","metadata":{"name":"demo","namespace":"default"},
 "spec":{"type":"NodePort","selector":{"app":"demo"},"ports":[{"name":"http","port":80,"targetPort":8080,"protocol":"TCP"}]}}'

up_lab() {
  echo "== the lab: 3 control-plane hosts + 2 workers (network namespaces $LAB_NAME-*, 10.77.0.0/24)"
  ensure_dockerd
  lab_env bash scripts/lab.sh up
  mkdir -p "$RUN"
  echo lab >"$MODE_FILE"
  printf 'servers: [%s]\nnamespace: default\n' "${LAB_SERVERS//,/, }" >"$SHOALCTL_CONF"

  # Idempotent: what runs is left alone; a member that is gone restarts on its data dir.
  local i name ip started=()
  for i in "${!LAB_CPS[@]}"; do
    name="${LAB_CPS[$i]}" ip="${LAB_CP_IPS[$i]}"
    pid_of "$name" shoal-control-plane >/dev/null && continue
    start_in_host "$name" "$name" node bin/shoal-control-plane.js --name "$name" --data-dir "$DATA/$name" \
      --listen-client-urls "http://$ip:2379" --advertise-client-urls "http://$ip:2379" \
      --listen-peer-urls "http://$ip:2380" --initial-advertise-peer-urls "http://$ip:2380" \
      --initial-cluster "$LAB_CLUSTER" --initial-cluster-state new --initial-cluster-token shoal-up \
      --listen-metrics-urls "http://$ip:2381" \
      --api-listen-address "$ip:6443" --api-http-listen-address "$ip:6444" --control-loops=true
    started+=("$name")
  done
  echo "== control plane: started ${started[*]:-nothing (all running)}; logs in $DATA/cpN.log; waiting for a leader"
  wait_until "a store leader" 60 lab_cp_healthy || lab_fail "the store did not become healthy"
  in_host client etcdctl --endpoints "$LAB_ENDPOINTS" endpoint status -w table
  for ip in "${LAB_CP_IPS[@]}"; do
    wait_until "the API server on $ip" 60 lab_api_ready "$ip" || lab_fail "the API server on $ip is not ready"
  done
  echo "API servers ready on ${LAB_SERVERS//,/ }"

  started=()
  for i in "${!LAB_WORKERS[@]}"; do
    name="${LAB_WORKERS[$i]}" ip="${LAB_WORKER_IPS[$i]}"
    pid_of "$name" shoal-agent >/dev/null && continue
    start_in_host "$name" "$name" node bin/shoal-agent.js run --server "$LAB_SERVERS" --node-name "$name" \
      --data-dir "$DATA/$name" --http-address 127.0.0.1:10250 --docker-socket "$LAB_DIR/$name/docker.sock" \
      --node-ip "$ip" --pod-network host-gw --cluster-cidr 10.244.0.0/16 --proxy-mode iptables --log-level info
    started+=("$name")
  done
  echo "== agents: started ${started[*]:-nothing (all running)}; logs in $DATA/wN.log; waiting for both nodes Ready"
  wait_until "both nodes Ready" 120 lab_nodes_ready || lab_fail "the nodes did not become Ready"
  shoalctl_lab get nodes -o wide

  echo "== demo: Deployment demo (3 busybox httpd pods) + Service demo (NodePort)"
  printf '%s' "$DEMO_DEPLOYMENT" | shoalctl_lab apply -f - || lab_fail "applying the demo Deployment failed"
  printf '%s' "$DEMO_SERVICE" | shoalctl_lab apply -f - || lab_fail "applying the demo Service failed"
  wait_until "3 demo pods Running" 180 lab_pods_running || lab_fail "the demo pods are not Running"
  shoalctl_lab get pods -o wide
  local cip nodeport answer=""
  cip="$(shoalctl_lab get service demo -o json | node -e 'let s="";process.stdin.on("data",(d)=>s+=d).on("end",()=>console.log(JSON.parse(s).spec.clusterIP))')"
  nodeport="$(shoalctl_lab get service demo -o json | node -e 'let s="";process.stdin.on("data",(d)=>s+=d).on("end",()=>console.log(JSON.parse(s).spec.ports[0].nodePort))')"
  # The proxies program the ClusterIP shortly after the endpoints exist: a few bounded tries.
  for _ in $(seq 1 30); do
    answer="$(timeout 5 nsenter --net="/var/run/netns/$LAB_NAME-w1" /bin/busybox wget -qO- "http://$cip:80/" 2>/dev/null || true)"
    [ -n "$answer" ] && break
    sleep 1
  done
  [ -n "$answer" ] || lab_fail "the demo's ClusterIP $cip did not answer from w1 within 30 tries"
  echo "== from w1: wget http://$cip/ -> $answer"

  local ctl="nsenter --net=/var/run/netns/$LAB_NAME-client node $PWD/bin/shoalctl.js"
  cat <<EOF2

Shoal is up in the lab (network namespaces on this machine; nothing outside 10.77.0.0/24):
  control plane  $LAB_NAME-cp1..3  10.77.0.11-13  (store :2379, peers :2380, API :6443, /readyz :6444)
  workers        $LAB_NAME-w1..2   10.77.0.21-22  (agents; pods in 10.244.0.0/16; dockerd at $LAB_DIR/wN/docker.sock)
  client         $LAB_NAME-client  10.77.0.100
  demo           Service demo: ClusterIP $cip:80, NodePort $nodeport on every worker
Try (shoalctl's config with all three API servers: $SHOALCTL_CONF, exported as SHOAL_CONFIG):
  export SHOAL_CONFIG=$SHOALCTL_CONF
  $ctl get nodes -o wide
  $ctl get pods -o wide
  $ctl members
  $ctl get componentstatuses
  $ctl scale deployment/demo --replicas=5
  nsenter --net=/var/run/netns/$LAB_NAME-w2 sh -c 'for i in 1 2 3 4 5 6; do timeout 5 busybox wget -qO- http://$cip/; done'
  nsenter --net=/var/run/netns/$LAB_NAME-client sh -c 'timeout 5 busybox wget -qO- http://10.77.0.21:$nodeport/'
  docker -H unix://$LAB_DIR/w1/docker.sock ps
  scripts/up.sh kill cp1     # kill -9 a control-plane host's member; the others keep serving
  scripts/up.sh              # brings a killed member back (idempotent)
  scripts/up.sh status       # hosts, processes, store members
  scripts/up.sh down         # stop everything, remove the lab and $DATA
EOF2
}

status_lab() {
  local name pid
  for name in "${LAB_CPS[@]}"; do
    if pid="$(pid_of "$name" shoal-control-plane)"; then echo "$name: control plane running (pid $pid)"; else echo "$name: control plane not running"; fi
  done
  for name in "${LAB_WORKERS[@]}"; do
    if pid="$(pid_of "$name" shoal-agent)"; then echo "$name: agent running (pid $pid)"; else echo "$name: agent not running"; fi
  done
  lab_env bash scripts/lab.sh status || true
  if [ -e "/var/run/netns/$LAB_NAME-client" ]; then
    in_host client etcdctl --endpoints "$LAB_ENDPOINTS" --dial-timeout=2s endpoint status -w table 2>/dev/null || true
    shoalctl_lab get nodes -o wide 2>/dev/null || true
  fi
}

stop_pids() { # stop_pids <pid...>: SIGTERM, then SIGKILL whatever is still alive after 15 s
  [ "$#" -gt 0 ] || return 0
  kill -TERM "$@" 2>/dev/null || true
  for _ in $(seq 1 150); do
    local left=0 pid
    for pid in "$@"; do alive "$pid" && left=$((left + 1)); done
    [ "$left" -eq 0 ] && break
    sleep 0.1
  done
  for pid in "$@"; do alive "$pid" && kill -KILL "$pid" 2>/dev/null || true; done
}

down_lab() {
  local name pid pids=()
  for name in "${LAB_WORKERS[@]}"; do pid="$(pid_of "$name" shoal-agent)" && pids+=("$pid"); done
  stop_pids "${pids[@]}"
  pids=()
  for name in "${LAB_CPS[@]}"; do pid="$(pid_of "$name" shoal-control-plane)" && pids+=("$pid"); done
  stop_pids "${pids[@]}"
  # lab.sh down also ends whatever still runs in the lab's namespaces, containers and dockerds
  if [ "$(id -u)" -eq 0 ]; then lab_env bash scripts/lab.sh down; fi
  for name in "${LAB_CPS[@]}" "${LAB_WORKERS[@]}"; do rm -rf "${DATA:?}/$name" "$RUN/$name.pid" "$DATA/$name.log"; done
  rm -f "$SHOALCTL_CONF" "$MODE_FILE"
  echo "lab down: agents, control planes, namespaces $LAB_NAME-*, dockerds and their data removed"
}

kill_lab() { # kill -9 one control-plane host's member (try a failover)
  local pid
  pid="$(pid_of "$1" shoal-control-plane)" || { echo "$1: no control plane running" >&2; exit 1; }
  kill -KILL "$pid"
  echo "killed the control plane on $1 (pid $pid); 'scripts/up.sh' brings it back"
}

mode() { cat "$MODE_FILE" 2>/dev/null || echo none; }

up() {
  source scripts/lib/ensure-deps.sh
  ensure_debian_packages
  ensure_node_modules
  npm run --silent gen
  if [ "$(mode)" != loopback ] && lab_possible; then up_lab; return; fi
  [ "$(mode)" = loopback ] || echo "
******************************************************************************
*  NO LAB: ${LAB_WHY:-} - network namespaces are not possible here, so this
*  starts the control plane as processes on 127.0.0.1 (no workers, no pods).
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
