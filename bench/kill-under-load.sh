#!/usr/bin/env bash
# kill -9 under load: a 2-worker pool under wrk; a worker is killed 5 times (one wrk
# session per kill). Prints, per kill, the failed requests against what the victim had
# in flight at that moment (its established connections), and kill-to-ready time.
#   bench/kill-under-load.sh [KILLS] [CONNECTIONS] [MODE]   (default 5 16 keepalive; MODE close = new connection per request)
# Target (exit 1 when missed): failed requests per kill <= connections the victim held.
source "$(dirname "$0")/lib.sh"
KILLS="${1:-5}"; CONNS="${2:-16}"; MODE="${3:-keepalive}"
ensure_jar; ensure_wrk
extra=(); [ "$MODE" = close ] && extra=(-H "Connection: close")
log="$RESULTS/kill-under-load.log"
start_pool "$log" 2; port=$PORT; master=$MASTER
run_wrk "$RESULTS/kill-warmup.txt" "$port" / 3 "$CONNS" "${extra[@]}" >/dev/null
printf '\n%-6s %10s %12s %16s %14s %20s\n' kill requests failed "victim conns" "failed/conns" "kill -> ready (ms)"
status=0; all_ready=""
for k in $(seq 1 "$KILLS"); do
  readies=$(grep -c "ready in" "$log")
  out="$RESULTS/wrk-kill-$k.txt"
  run_wrk "$out" "$port" / 8 "$CONNS" "${extra[@]}" > "$RESULTS/kill-$k.summary" &
  wrk_pid=$!
  sleep 3
  victim=$(children "$master" | awk '{print $1}')
  conns=$(ss -tnpH state established "( sport = :$port )" 2>/dev/null | grep -c "pid=$victim," || true)
  t0=$(now_ms); kill -KILL "$victim"
  wait_log "$log" "ready in" 120 $((readies + 1)); t1=$(now_ms)
  wait "$wrk_pid" || true
  read -r rps p50 p99 total non2xx errs < "$RESULTS/kill-$k.summary"
  failed=$((non2xx + errs))
  printf '%-6s %10s %12s %16s %14s %20s\n' "$k" "$total" "$failed" "$conns" "$(ratio "$failed" "$conns")" "$((t1 - t0))"
  all_ready+="$((t1 - t0)) "
  [ "$failed" -le "$conns" ] || status=1
done
echo "median kill -> replacement ready: $(echo "$all_ready" | tr ' ' '\n' | grep -v '^$' | median) ms ($MODE, $CONNS connections, $(date -u +%F))"
stop_tree "$master"
exit $status
