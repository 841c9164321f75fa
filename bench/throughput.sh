#!/usr/bin/env bash
# Throughput and latency: the sample app as a plain single JVM against jproc with 1 and
# 2 workers, same jar, same wrk load, in one run. Prints medians of RUNS measured runs
# after a warm-up, and the ratio to the single JVM.
#   bench/throughput.sh [RUNS] [SECONDS] [CONNECTIONS] [WARMUP_SECONDS]   (default 3 10 32 30)
# Every JVM warms up its JIT on its own share of the traffic: give each config the same
# warm-up before measuring.
# Target (exit 1 when missed): no errors; jproc with 1 worker within 15% of the plain JVM.
source "$(dirname "$0")/lib.sh"
RUNS="${1:-3}"; SECS="${2:-10}"; CONNS="${3:-32}"; WARMUP="${4:-30}"
ensure_jar; ensure_wrk
declare -A RPS P50 P99 ERR
for config in plain w1 w2; do
  log="$RESULTS/throughput-$config.log"
  case "$config" in
    plain) port=$(free_port); start_app "$log" --server.port="$port" --jproc.workers=0; wait_http "$port" / 120 ;;
    w1) start_pool "$log" 1; port=$PORT ;;
    w2) start_pool "$log" 2; port=$PORT ;;
  esac
  run_wrk "$RESULTS/wrk-$config-warmup.txt" "$port" / "$WARMUP" "$CONNS" >/dev/null
  for run in $(seq 1 "$RUNS"); do
    read -r rps p50 p99 total non2xx errs < <(run_wrk "$RESULTS/wrk-$config-$run.txt" "$port" / "$SECS" "$CONNS")
    RPS[$config]+="$rps "; P50[$config]+="$p50 "; P99[$config]+="$p99 "
    ERR[$config]=$(( ${ERR[$config]:-0} + non2xx + errs ))
  done
  stop_tree "$APP_PID"
done
med() { echo "$1" | tr ' ' '\n' | grep -v '^$' | median; }
base=$(med "${RPS[plain]}")
echo
echo "throughput: GET / , wrk -t2 -c$CONNS, ${WARMUP}s warm-up, then ${SECS}s x $RUNS runs (median), $(nproc) cores, $(date -u +%F)"
printf '%-20s %12s %10s %10s %10s %8s\n' config "requests/s" "p50 ms" "p99 ms" "vs plain" errors
status=0
for config in plain w1 w2; do
  r=$(med "${RPS[$config]}")
  printf '%-20s %12s %10s %10s %10s %8s\n' "$config" "$r" "$(med "${P50[$config]}")" "$(med "${P99[$config]}")" \
    "$(ratio "$r" "$base")" "${ERR[$config]}"
  [ "${ERR[$config]}" = 0 ] || status=1
done
awk -v a="$(med "${RPS[w1]}")" -v b="$base" 'BEGIN { exit !(a >= 0.85 * b) }' || { echo "MISSED: 1 worker below 85% of plain"; status=1; }
echo "raw requests/s: plain=[${RPS[plain]}] w1=[${RPS[w1]}] w2=[${RPS[w2]}]"
exit $status
