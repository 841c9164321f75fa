#!/usr/bin/env bash
# Retirement under load: a 2-worker pool under a steady 2-connection wrk stream, a new
# connection per request; PLANNED consecutive planned retirements (/trouble/retire), then
# OOMS OutOfMemoryError retirements (/trouble/oom), one wrk session per phase. Prints,
# per phase, the failed and answered requests and the median time from the retire
# request to the replacement being ready (from the master's retirement log line).
#   bench/retirement.sh [PLANNED] [OOMS]   (default 10 5)
# Target (exit 1 when missed): no failed request in either phase.
# (Was the opt-in sample-app test RetirementBenchIT, which only printed.)
source "$(dirname "$0")/lib.sh"
PLANNED="${1:-10}"; OOMS="${2:-5}"
ensure_jar; ensure_wrk
log="$RESULTS/retirement.log"
start_pool "$log" 2 --sample.trouble-endpoints=true --jproc.restart.min-uptime=1s; port=$PORT; master=$MASTER

# ready_after PID: waits for the master's line about the retired worker PID and prints the
# seconds from its retire request to its replacement being ready
ready_after() {
  local line="\\(pid $1\\) retired \\(.*\\): asked.* and ready \\+[0-9.]+ s"
  wait_log "$log" "$line" 90
  grep -E "$line" "$log" | tail -1 | sed -E 's/.* and ready \+([0-9.]+) s.*/\1/'
}

# phase NAME: runs wrk in the background until stop_phase; sets WRK_PID and OUT
phase() {
  OUT="$RESULTS/wrk-retirement-$1.txt"
  wrk -t2 -c2 -d300s --timeout 10s -H "Connection: close" "http://127.0.0.1:$port/" >"$OUT" 2>&1 &
  WRK_PID=$!
  sleep 3
}

# stop_phase NAME READY...: stops wrk, prints the phase's line; returns 1 on a failed request
stop_phase() {
  local name="$1"; shift
  sleep 2
  kill -INT "$WRK_PID" 2>/dev/null || true
  wait "$WRK_PID" 2>/dev/null || true
  local total non2xx errs
  total=$(awk '/requests in/ {print $1}' "$OUT")
  non2xx=$(awk -F: '/Non-2xx or 3xx responses/ {gsub(/ /, "", $2); print $2}' "$OUT")
  errs=$(awk '/Socket errors/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' "$OUT")
  local failed=$(( ${non2xx:-0} + ${errs:-0} ))
  printf '%-12s %10s %10s %30s   %s\n' "$name" "$failed" "$(( ${total:-0} - failed ))" \
    "$(printf '%s\n' "$@" | median) s" "$*"
  [ "$failed" = 0 ]
}

printf '\n%-12s %10s %10s %30s   %s\n' phase failed ok "retire -> ready (median)" "all (s)"
status=0
phase planned
ready=()
for _ in $(seq 1 "$PLANNED"); do
  pid=$(curl -s "http://127.0.0.1:$port/trouble/retire?reason=bench" | sed -E 's/.*"pid":([0-9]+).*/\1/')
  ready+=("$(ready_after "$pid")")
done
stop_phase "planned x$PLANNED" "${ready[@]}" || status=1
phase oom
ready=()
for i in $(seq 1 "$OOMS"); do
  curl -s -o /dev/null --max-time 10 "http://127.0.0.1:$port/trouble/oom" || true
  wait_log "$log" "\\(pid [0-9]+\\) retired \\(OutOfMemoryError" 30 "$i"
  pid=$(grep -oE "\\(pid [0-9]+\\) retired \\(OutOfMemoryError" "$log" | sed -n "${i}p" | grep -oE "[0-9]+")
  ready+=("$(ready_after "$pid")")
done
stop_phase "OOM x$OOMS" "${ready[@]}" || status=1
echo "retirement under load: 2 workers, wrk -t2 -c2 (a new connection per request), $(date -u +%F)"
stop_tree "$master"
exit $status
