#!/usr/bin/env bash
# Shared helpers for the benchmark scripts. Everything runs on 127.0.0.1 only, and
# every process a script starts is killed by pid when the script exits.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
JAR="${JAR:-$ROOT/sample-app/target/sample-app.jar}"
RESULTS="${RESULTS:-$BENCH_DIR/results}"
mkdir -p "$RESULTS"
STARTED_PIDS=()

ensure_jar() {
  if [ ! -f "$JAR" ]; then
    echo "building $JAR" >&2
    (cd "$ROOT" && mvn -B -q install -DskipTests)
  fi
}

ensure_wrk() {
  if ! command -v wrk >/dev/null; then
    echo "installing wrk from Debian's packages" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >&2
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

now_ms() { date +%s%3N; }

# start_app LOG ARGS... : starts the sample app in the background, sets APP_PID
start_app() {
  local log="$1"; shift
  java ${JAVA_OPTS:-} -jar "$JAR" --server.address=127.0.0.1 "$@" >"$log" 2>&1 &
  APP_PID=$!
  STARTED_PIDS+=("$APP_PID")
}

# wait_log LOG REGEX TIMEOUT_S [COUNT]: waits until REGEX matched COUNT times (default 1)
wait_log() {
  local log="$1" regex="$2" timeout="$3" count="${4:-1}"
  local end=$(( $(date +%s) + timeout ))
  # A log the app's process has not opened yet counts 0 matches (grep prints nothing).
  local seen
  while seen=$(grep -cE "$regex" "$log" 2>/dev/null); [ "${seen:-0}" -lt "$count" ]; do
    if [ "$(date +%s)" -ge "$end" ]; then
      echo "timeout waiting for '$regex' in $log" >&2; tail -20 "$log" >&2; return 1
    fi
    sleep 0.05
  done
}

# wait_http PORT PATH TIMEOUT_S: waits for a 200
wait_http() {
  local end=$(( $(date +%s) + $3 ))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1$2" 2>/dev/null)" = "200" ]; do
    [ "$(date +%s)" -ge "$end" ] && { echo "timeout waiting for http :$1$2" >&2; return 1; }
    sleep 0.05
  done
}

# serving_pids PORT: the pids of the slots' workers, in slot order, from /actuator/workers
serving_pids() {
  curl -s "http://127.0.0.1:$1/actuator/workers" \
    | python3 -c 'import json,sys; print(" ".join(str(w["pid"]) for w in json.load(sys.stdin)["workers"] if w["pid"]))'
}

children() { { pgrep -P "$1" 2>/dev/null || true; } | tr '\n' ' '; }

rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }

# stop_tree PID: TERM the process, then KILL it and its children if still there
stop_tree() {
  local pid="$1" kids
  kids="$(children "$pid")"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" $kids 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup_all() {
  for pid in "${STARTED_PIDS[@]:-}"; do
    [ -n "$pid" ] || continue
    local kids; kids="$(children "$pid")"
    kill -KILL "$pid" $kids 2>/dev/null || true
  done
}
trap cleanup_all EXIT

# median of numbers on stdin
median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) {print "?"} else if (NR%2) {print a[(NR+1)/2]} else {printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}}'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b+0 == 0) print "?"; else printf "%.2f", a/b }'; }

# to_ms VALUE: wrk latency such as 512.00us, 1.20ms, 2.01s -> milliseconds
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else printf "%s", v }'
}

# run_wrk OUT PORT PATH SECONDS CONNECTIONS [wrk args...]
# prints: rps p50_ms p99_ms requests non2xx socket_errors
run_wrk() {
  local out="$1" port="$2" path="$3" secs="$4" conns="$5"; shift 5
  wrk -t2 -c"$conns" -d"${secs}s" --latency --timeout 30s "$@" "http://127.0.0.1:$port$path" >"$out" 2>&1 || true
  local rps p50 p99 total non2xx errs
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
  total=$(awk '/requests in/ {print $1}' "$out")
  non2xx=$(awk -F: '/Non-2xx or 3xx responses/ {gsub(/ /, "", $2); print $2}' "$out")
  errs=$(awk '/Socket errors/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' "$out")
  echo "${rps:-0} ${p50:-?} ${p99:-?} ${total:-0} ${non2xx:-0} ${errs:-0}"
}

# start_pool LOG WORKERS [app args...]: a jproc master with WORKERS workers on a free port,
# waited for until every worker is ready; sets PORT and MASTER
start_pool() {
  local log="$1" workers="$2"; shift 2
  PORT=$(free_port)
  start_app "$log" --server.port="$PORT" --jproc.workers="$workers" "$@"
  MASTER=$APP_PID
  wait_log "$log" "all $workers workers ready" 180
}
