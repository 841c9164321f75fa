#!/usr/bin/env bash
# Steady-state throughput of 2 workers against a single JVM, with jproc's right-sizing
# (-XX:ActiveProcessorCount and -XX:MaxRAMPercentage per worker, the default) and without
# (jproc.worker.right-size=false); w2-g1, w2-loops and w2-xms-share vary one option (CONFIGS=...). Each config gets the same long warm-up under load
# first: a short one measures JIT compilation, not serving. The boot cache is off here so
# that no training run competes for the CPU.
#   bench/right-size.sh [WARMUP_SECONDS] [RUNS] [SECONDS] [CONNECTIONS]   (default 180 3 10 32)
# Target (exit 1 when missed): 2 right-sized workers >= 0.95x the single JVM, no errors.
source "$(dirname "$0")/lib.sh"
WARMUP="${1:-180}"; RUNS="${2:-3}"; SECS="${3:-10}"; CONNS="${4:-32}"
ensure_jar; ensure_wrk
declare -A RPS P50 P99 ERR
read -r -a CONFIGS <<<"${CONFIGS:-plain w2-sized w2-unsized}"   # CONFIGS="plain w2-sized" to skip one
for config in "${CONFIGS[@]}"; do
  log="$RESULTS/right-size-$config.log"
  case "$config" in
    plain) port=$(free_port); start_app "$log" --server.port="$port" --jproc.workers=0; wait_http "$port" / 120 ;;
    w2-sized) start_pool "$log" 2 --jproc.boot-cache.enabled=false; port=$PORT ;;
    w2-unsized) start_pool "$log" 2 --jproc.boot-cache.enabled=false --jproc.worker.right-size=false; port=$PORT ;;
    # right-sized, with G1 instead of the Serial GC the JVM picks for one processor
    w2-g1) start_pool "$log" 2 --jproc.boot-cache.enabled=false --jproc.worker.jvm-args=-XX:+UseG1GC; port=$PORT ;;
    # right-sized, with the initial heap shared too (the default 1/64 of memory, halved)
    # right-sized, with one Reactor Netty event loop per processor of the share (its
    # default is at least 4 per JVM, whatever -XX:ActiveProcessorCount says)
    w2-loops) start_pool "$log" 2 --jproc.boot-cache.enabled=false \
      --jproc.worker.jvm-args=-Dreactor.netty.ioWorkerCount=$(( $(nproc) / 2 > 0 ? $(nproc) / 2 : 1 )); port=$PORT ;;
    w2-xms-share) start_pool "$log" 2 --jproc.boot-cache.enabled=false --jproc.worker.jvm-args=-XX:InitialRAMPercentage=0.78125; port=$PORT ;;
  esac
  wrk -t1 -c"$CONNS" -d"${WARMUP}s" "http://127.0.0.1:$port/" >"$RESULTS/right-size-$config-warmup.txt" 2>&1 || true
  for run in $(seq 1 "$RUNS"); do
    read -r rps p50 p99 total non2xx errs < <(run_wrk "$RESULTS/right-size-$config-$run.txt" "$port" / "$SECS" "$CONNS")
    RPS[$config]+="$rps "; P50[$config]+="$p50 "; P99[$config]+="$p99 "
    ERR[$config]=$(( ${ERR[$config]:-0} + non2xx + errs ))
  done
  stop_tree "$APP_PID"
done
med() { echo "$1" | tr ' ' '\n' | grep -v '^$' | median; }
base=$(med "${RPS[plain]}")
echo
echo "right-size: GET /, ${WARMUP}s warm-up (wrk -t1 -c$CONNS), then ${SECS}s x $RUNS runs (median, wrk -t2), $(nproc) cores, $(java -version 2>&1 | head -1), $(date -u +%F)"
printf '%-14s %12s %10s %10s %10s %8s\n' config "requests/s" "p50 ms" "p99 ms" "vs plain" errors
status=0
for config in "${CONFIGS[@]}"; do
  r=$(med "${RPS[$config]}")
  printf '%-14s %12s %10s %10s %10s %8s\n' "$config" "$r" "$(med "${P50[$config]}")" "$(med "${P99[$config]}")" \
    "$(ratio "$r" "$base")" "${ERR[$config]}"
  [ "${ERR[$config]}" = 0 ] || status=1
done
awk -v a="$(med "${RPS[w2-sized]}")" -v b="$base" 'BEGIN { exit !(a >= 0.95 * b) }' \
  || { echo "MISSED: 2 right-sized workers below 95% of the single JVM"; status=1; }
echo "raw requests/s: plain=[${RPS[plain]:-}] w2-sized=[${RPS[w2-sized]:-}] w2-unsized=[${RPS[w2-unsized]:-}]"
exit $status
