#!/usr/bin/env bash
# Starts a local Shoal control plane on 127.0.0.1: three shoal-control-plane processes, each a
# cluster store member (etcd v3 API, Raft between members, WAL with fsync; laid out like etcd's
# Procfile) with the API server next to it (gRPC API, /livez /readyz /metrics over HTTP).
# Use Debian's etcdctl (ETCDCTL_API=3) against the store.
#
#   scripts/up.sh          install what is missing, start 3 members, wait for a leader, demo put/get
#   scripts/up.sh status   endpoint status of each member
#   scripts/up.sh down     stop the members this script started (pid files; leader hands over first)
#
# Data, logs and pid files live under ${SHOAL_DATA:-/tmp/shoal-up}. Ports (127.0.0.1 only):
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
  [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat"
}

pid_of() { # prints the pid of member $1 if it is running (and really is our member)
  local f="$RUN/$1.pid" pid
  [ -f "$f" ] || return 1
  pid="$(cat "$f")"
  [ -n "$pid" ] && alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'shoal-control-plane' || return 1
  echo "$pid"
}

status() {
  local name pid
  for name in "${NAMES[@]}"; do
    if pid="$(pid_of "$name")"; then echo "$name: running (pid $pid)"; else echo "$name: not running"; fi
  done
  etcdctl --endpoints "$ENDPOINTS" --dial-timeout=2s endpoint status -w table 2>/dev/null || true
}

down() {
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

up() {
  source scripts/lib/ensure-deps.sh
  ensure_debian_packages
  ensure_node_modules
  npm run --silent gen

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

case "${1:-up}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: scripts/up.sh [up|down|status]" >&2; exit 2 ;;
esac
