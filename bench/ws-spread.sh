#!/usr/bin/env bash
# WebSocket spread (issue 23): COUNT WebSockets opened one every INTERVAL ms against an
# idle pool of WORKERS, max/min per worker, with jproc.balance on (the default) and off;
# then short-request throughput (wrk, keep-alive and a new connection per request) in
# both, so the balance is seen not to cost throughput.
#   bench/ws-spread.sh [WORKERS] [COUNT] [INTERVAL_MS] [WRK_SECONDS]   (default 4 100 10 10)
# Target (exit 1 when missed): max/min <= 1.3 with the balance on; throughput with the
# balance on >= 0.9x off, in both modes. ORDER="false true" runs the pool without the
# balance first (the first pool runs on a machine that may still be busy).
source "$(dirname "$0")/lib.sh"
WORKERS="${1:-4}"; COUNT="${2:-100}"; INTERVAL="${3:-10}"; SECS="${4:-10}"
ensure_jar; ensure_wrk
here="$(cd "$(dirname "$0")" && pwd)"
status=0
declare -A spread rps_keep rps_close
for balance in ${ORDER:-true false}; do
  log="$RESULTS/ws-spread-$balance.log"
  start_pool "$log" "$WORKERS" --jproc.balance.enabled="$balance"; port=$PORT; master=$MASTER
  sleep 2
  spread[$balance]=$(java "$here/WsSpread.java" "$port" "$COUNT" "$INTERVAL")
  sleep 1
  run_wrk "$RESULTS/wrk-ws-spread-warm-$balance.txt" "$port" / "$SECS" 32 >/dev/null
  rps_keep[$balance]=$(run_wrk "$RESULTS/wrk-ws-spread-keep-$balance.txt" "$port" / "$SECS" 32 | awk '{print $1}')
  rps_close[$balance]=$(run_wrk "$RESULTS/wrk-ws-spread-close-$balance.txt" "$port" / "$SECS" 32 \
    -H "Connection: close" | awk '{print $1}')
  stop_tree "$master"
done
echo
echo "ws-spread: $WORKERS workers, $COUNT WebSockets one every ${INTERVAL} ms; wrk -t2 -c32 ${SECS}s; $(java -version 2>&1 | head -1); $(date -u +%F)"
printf '%-8s %-40s %6s %6s %8s %12s %12s\n' balance "WebSockets per worker" max min max/min "rps keep" "rps close"
for balance in ${ORDER:-true false}; do
  IFS='|' read -r per max min ratio <<<"${spread[$balance]}"
  printf '%-8s %-40s %6s %6s %8s %12s %12s\n' "$balance" "$per" "$max" "$min" "$ratio" \
    "${rps_keep[$balance]}" "${rps_close[$balance]}"
done
IFS='|' read -r _ _ _ ratio <<<"${spread[true]}"
awk -v r="$ratio" 'BEGIN { exit !(r <= 1.3) }' || status=1
awk -v a="${rps_keep[true]}" -v b="${rps_keep[false]}" 'BEGIN { exit !(a >= 0.9 * b) }' || status=1
awk -v a="${rps_close[true]}" -v b="${rps_close[false]}" 'BEGIN { exit !(a >= 0.9 * b) }' || status=1
exit $status
