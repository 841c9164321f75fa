#!/usr/bin/env bash
# Steady state, paired: a plain single JVM (--jproc.workers=0) and a pool of WORKERS workers
# of the same app (JAR=..., default the WebFlux sample) with jproc's defaults. For each of
# PAIRS pairs both are started fresh, side by side, and warmed together by WARMUP seconds
# of wrk load each, at the same time (WARM_APART=1: one after the other, twice as long;
# two fresh JVMs on two cores need minutes before their JIT is warm: a short warm-up
# measures compilation, not serving; the rounds show whether it was enough), then they
# are measured in ROUNDS alternating rounds of SECS seconds (plain, pool, plain, pool...;
# odd pairs start with plain, even pairs with the pool), so both see the same machine at
# nearly the same moment. A fresh pair each time: what swings the ratio between runs is
# mostly what a fresh JVM makes of its warm-up (JIT decisions, which worker wins the
# accepts), which interleaved rounds on the same processes would not show.
# The pools run with jproc's defaults, boot cache included: it is prepared first in a
# private directory by a pool of the same shape, so that every measured pool boots from
# it, as a pool does once its cache exists.
#   bench/steady.sh [PAIRS] [WARMUP] [ROUNDS] [SECS] [CONNS] [-- APP ARGS...]
#   (default 5 180 3 10 32; APP ARGS go to both, e.g. --spring.threads.virtual.enabled=true)
#   WORKERS=2; LABEL=... names the result files; CACHE=off boots the pools from the jar
#   (jproc.boot-cache.enabled=false) instead of a prepared boot cache; java from PATH.
# Prints each pair's medians (requests/s, p99) and ratio, then the median ratio over the
# pairs and its spread. Target (exit 1 when missed): median ratio >= 0.95, no errors.
source "$(dirname "$0")/lib.sh"
POSITIONAL=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do POSITIONAL+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
APP_ARGS=("$@")
PAIRS="${POSITIONAL[0]:-5}"; WARMUP="${POSITIONAL[1]:-180}"; ROUNDS="${POSITIONAL[2]:-3}"
SECS="${POSITIONAL[3]:-10}"; CONNS="${POSITIONAL[4]:-32}"
WORKERS="${WORKERS:-2}"; LABEL="${LABEL:-steady}"
ensure_jar; ensure_wrk
cache_dir="$RESULTS/$LABEL-boot-cache"
rm -rf "$cache_dir"
CACHE_ARGS=(--jproc.boot-cache.dir="$cache_dir")
if [ "${CACHE:-on}" = off ]; then
  # CACHE=off: the pools boot from the jar (jproc.boot-cache.enabled=false)
  CACHE_ARGS=(--jproc.boot-cache.enabled=false)
else
  start_pool "$RESULTS/$LABEL-cache-prepare.log" "$WORKERS" "${CACHE_ARGS[@]}" "${APP_ARGS[@]}"
  wait_log "$RESULTS/$LABEL-cache-prepare.log" "jproc boot cache: ready at" 600
  stop_tree "$MASTER"
fi
med() { echo "$1" | tr ' ' '\n' | grep -v '^$' | median; }
ratios=""; errors=0
lines=()
for pair in $(seq 1 "$PAIRS"); do
  plain_port=$(free_port)
  start_app "$RESULTS/$LABEL-$pair-plain.log" --server.port="$plain_port" --jproc.workers=0 "${APP_ARGS[@]}"
  plain_pid=$APP_PID
  wait_http "$plain_port" / 180
  start_pool "$RESULTS/$LABEL-$pair-pool.log" "$WORKERS" "${CACHE_ARGS[@]}" "${APP_ARGS[@]}"
  pool_pid=$MASTER; pool_port=$PORT
  warmers=()
  for which in plain pool; do
    port=$plain_port; [ "$which" = pool ] && port=$pool_port
    wrk -t1 -c"$CONNS" -d"${WARMUP}s" "http://127.0.0.1:$port/" >"$RESULTS/$LABEL-$pair-$which-warmup.txt" 2>&1 &
    warmers+=($!); STARTED_PIDS+=($!)
    [ "${WARM_APART:-0}" = 1 ] && wait "${warmers[-1]}"
  done
  wait "${warmers[@]}" 2>/dev/null || true
  for which in plain pool; do
    # A warm-up that could not connect leaves that side cold: the pair would measure
    # compilation, not serving. Stop rather than count it.
    if ! grep -q "requests in" "$RESULTS/$LABEL-$pair-$which-warmup.txt"; then
      echo "pair $pair: the $which warm-up served nothing: $(head -1 "$RESULTS/$LABEL-$pair-$which-warmup.txt")" >&2
      exit 1
    fi
  done
  declare -A RPS=() P99=()
  order="plain pool"; [ $(( pair % 2 )) = 0 ] && order="pool plain"
  for round in $(seq 1 "$ROUNDS"); do
    for which in $order; do
      port=$plain_port; [ "$which" = pool ] && port=$pool_port
      read -r rps p50 p99 total non2xx errs < <(run_wrk "$RESULTS/$LABEL-$pair-$which-$round.txt" "$port" / "$SECS" "$CONNS")
      RPS[$which]+="$rps "; P99[$which]+="$p99 "
      errors=$(( errors + non2xx + errs ))
    done
  done
  stop_tree "$pool_pid"; stop_tree "$plain_pid"
  p=$(med "${RPS[plain]}"); w=$(med "${RPS[pool]}"); r=$(ratio "$w" "$p")
  ratios+="$r "
  lines+=("$(printf '%-5s %12s %10s %12s %10s %8s   plain [%s] pool [%s]' "$pair" "$p" "$(med "${P99[plain]}")" "$w" \
    "$(med "${P99[pool]}")" "$r" "${RPS[plain]% }" "${RPS[pool]% }")")
  echo "${lines[-1]}" >&2
done
echo
echo "steady ($LABEL): $(basename "$JAR") ${APP_ARGS[*]:-}, GET /, $PAIRS fresh pairs, each ${WARMUP}s warm-up (wrk -t1 -c$CONNS) per JVM or pool, $([ "${WARM_APART:-0}" = 1 ] && echo "one after the other" || echo "both at once"), then $ROUNDS alternating ${SECS}s rounds (wrk -t2 -c$CONNS, median), $WORKERS workers with defaults (boot cache prepared), $(nproc) cores, $(java -version 2>&1 | head -1), $(date -u +%F)"
printf '%-5s %12s %10s %12s %10s %8s\n' pair "plain rps" "p99 ms" "pool rps" "p99 ms" "ratio"
printf '%s\n' "${lines[@]}"
m=$(med "$ratios")
spread=$(echo "$ratios" | tr ' ' '\n' | grep -v '^$' | sort -n | awk 'NR==1 {lo=$1} {hi=$1} END {print lo " to " hi}')
echo "median ratio $m (spread $spread over $PAIRS pairs), errors $errors"
status=0
[ "$errors" = 0 ] || status=1
awk -v m="$m" 'BEGIN { exit !(m >= 0.95) }' || { echo "MISSED: the pool below 0.95x the single JVM"; status=1; }
exit $status
