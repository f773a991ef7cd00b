#!/usr/bin/env bash
# Starts a local Shoal cluster on 127.0.0.1 — today: the 3-member Raft demo (a replicated
# key-value store: WAL with fsync, gRPC between members, HTTP API for you).
#
#   scripts/up.sh          install what is missing, start 3 members, wait for a leader, demo put/get
#   scripts/up.sh status   show each member's role, leader, term, commit
#   scripts/up.sh down     stop the members this script started (pid files; leader hands over first)
#
# Data, logs and pid files live under ${SHOAL_DATA:-/tmp/shoal-up}. Ports: raft peers 2380-2382,
# HTTP 8081-8083, all on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."

DATA="${SHOAL_DATA:-/tmp/shoal-up}"
RUN="$DATA/run"
IDS=(1 2 3)
PEER_PORTS=(2380 2381 2382)
HTTP_PORTS=(8081 8082 8083)
PEERS="1=127.0.0.1:2380,2=127.0.0.1:2381,3=127.0.0.1:2382"

alive() { # a zombie (exited, not yet reaped by whoever adopted it) counts as gone
  [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat"
}

pid_of() { # prints the pid of member $1 if it is running (and really is our kv-server)
  local f="$RUN/member-$1.pid" pid
  [ -f "$f" ] || return 1
  pid="$(cat "$f")"
  [ -n "$pid" ] && alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'raft/demo/kv-server.ts' || return 1
  echo "$pid"
}

status() {
  local i
  for i in "${!IDS[@]}"; do
    local id="${IDS[$i]}" port="${HTTP_PORTS[$i]}" pid st
    if pid="$(pid_of "$id")"; then
      st="$(curl -s --max-time 2 "http://127.0.0.1:$port/status" || true)"
      echo "member $id (pid $pid, http 127.0.0.1:$port): ${st:-not answering}"
    else
      echo "member $id: not running"
    fi
  done
}

down() {
  local id pid pids=() names=()
  for id in "${IDS[@]}"; do
    if pid="$(pid_of "$id")"; then pids+=("$pid"); names+=("$id"); fi
  done
  if [ "${#pids[@]}" -eq 0 ]; then
    echo "no member was running"
  else
    # graceful stop, all at once: a leader hands leadership over (bounded), then each exits;
    # whatever is still alive after 10 s gets SIGKILL
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 1 100); do
      local left=0
      for pid in "${pids[@]}"; do alive "$pid" && left=$((left + 1)); done
      [ "$left" -eq 0 ] && break
      sleep 0.1
    done
    for pid in "${pids[@]}"; do alive "$pid" && kill -KILL "$pid" 2>/dev/null || true; done
    echo "stopped member(s) ${names[*]}"
  fi
  for id in "${IDS[@]}"; do rm -f "$RUN/member-$id.pid"; done
  echo "data kept in $DATA (remove it for a fresh cluster)"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

up() {
  source scripts/lib/ensure-deps.sh
  ensure_debian_packages
  command -v curl >/dev/null || { echo "== installing curl"; ${SUDO:-} apt-get install -y -qq curl >/dev/null; }
  ensure_node_modules
  npm run --silent gen

  # Idempotent: members already running are left alone, missing ones are (re)started with
  # their data dir (so after a kill -9, scripts/up.sh brings the member back).
  local id i started=()
  mkdir -p "$RUN"
  for i in "${!IDS[@]}"; do
    id="${IDS[$i]}"
    if pid_of "$id" >/dev/null; then continue; fi
    for p in "${PEER_PORTS[$i]}" "${HTTP_PORTS[$i]}"; do
      if port_busy "$p"; then echo "port 127.0.0.1:$p (member $id) is in use; free it and retry" >&2; exit 1; fi
    done
    setsid nohup node --import tsx raft/demo/kv-server.ts --id "$id" --peers "$PEERS" \
      --data-dir "$DATA/member-$id" --http-port "${HTTP_PORTS[$i]}" \
      >>"$DATA/member-$id.log" 2>&1 </dev/null &
    echo $! >"$RUN/member-$id.pid"
    started+=("$id")
  done
  if [ "${#started[@]}" -eq 0 ]; then echo "== all members were already running"; else echo "== started member(s) ${started[*]}"; fi
  echo "== logs in $DATA/member-N.log; waiting for a leader"

  local leader=0 st l agreed
  for _ in $(seq 1 120); do
    agreed=1 leader=""
    for port in "${HTTP_PORTS[@]}"; do
      st="$(curl -s --max-time 1 "http://127.0.0.1:$port/status" || true)"
      l="$(echo "$st" | grep -o '"leader":[0-9]*' | cut -d: -f2 || true)"
      if [ -z "$l" ] || [ "$l" = 0 ] || { [ -n "$leader" ] && [ "$l" != "$leader" ]; }; then agreed=0; break; fi
      leader="$l"
    done
    [ "$agreed" = 1 ] && break
    sleep 0.25
  done
  if [ "$agreed" != 1 ]; then
    echo "the members did not agree on a leader within 30 s; last log lines:" >&2
    tail -n 20 "$DATA"/member-*.log >&2 || true
    exit 1
  fi
  echo "== member $leader leads"

  echo "== demo: PUT greeting on member $leader, GET it from every member (linearizable reads)"
  local lport="${HTTP_PORTS[$((leader - 1))]}"
  curl -sS --fail-with-body --max-time 10 -X PUT --data 'hello from shoal' "http://127.0.0.1:$lport/kv/greeting"
  for port in "${HTTP_PORTS[@]}"; do
    echo "GET 127.0.0.1:$port/kv/greeting -> $(curl -sS --fail-with-body --max-time 10 "http://127.0.0.1:$port/kv/greeting")"
  done
  cat <<EOF

Shoal Raft demo is up: 3 members on 127.0.0.1 (raft peers 2380-2382, HTTP 8081-8083).
  curl -X PUT --data VALUE http://127.0.0.1:8081/kv/KEY   # write (any member; answered once applied)
  curl http://127.0.0.1:8082/kv/KEY                       # linearizable read (any member)
  curl http://127.0.0.1:8083/kv                           # every key, as JSON
  curl http://127.0.0.1:8081/status                       # role, leader, term, commit, applied
  scripts/up.sh status                                    # all members at a glance
  kill -9 \$(cat $RUN/member-$leader.pid)                  # try a failover; scripts/up.sh restarts the member
  scripts/up.sh down                                      # stop everything (data stays in $DATA)
EOF
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: scripts/up.sh [up|down|status]" >&2; exit 2 ;;
esac
