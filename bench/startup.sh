#!/usr/bin/env bash
# Start-up, memory and replacement time: the sample app as a plain single JVM against
# jproc with 1 and 2 workers, same jar, measured in the same run.
#   bench/startup.sh [RUNS]      (default 3)
source "$(dirname "$0")/lib.sh"
RUNS="${1:-3}"
ensure_jar
declare -A T RSS_M RSS_W RESP
for run in $(seq 1 "$RUNS"); do
  # plain: launch to first 200
  port=$(free_port); log="$RESULTS/startup-plain-$run.log"
  t0=$(now_ms); start_app "$log" --server.port="$port" --jproc.workers=0
  wait_http "$port" / 120; t1=$(now_ms)
  T[plain]+="$((t1 - t0)) "; RSS_W[plain]+="$(rss_mb "$APP_PID") "
  stop_tree "$APP_PID"
  for n in 1 2; do
    port=$(free_port); log="$RESULTS/startup-w$n-$run.log"
    t0=$(now_ms); start_app "$log" --server.port="$port" --jproc.workers=$n
    wait_log "$log" "all $n workers ready" 180; t1=$(now_ms)
    T[w$n]+="$((t1 - t0)) "; RSS_M[w$n]+="$(rss_mb "$APP_PID") "
    for w in $(children "$APP_PID"); do RSS_W[w$n]+="$(rss_mb "$w") "; done
    if [ "$n" = 2 ]; then
      victim=$(children "$APP_PID" | awk '{print $1}')
      ready_before=$(grep -c "ready in" "$log")
      k0=$(now_ms); kill -KILL "$victim"
      wait_log "$log" "ready in" 120 $((ready_before + 1)); k1=$(now_ms)
      RESP[w2]+="$((k1 - k0)) "
    fi
    stop_tree "$APP_PID"
  done
done
med() { echo "$1" | tr ' ' '\n' | grep -v '^$' | median; }
plain=$(med "${T[plain]}")
printf '\n%-22s %14s %10s %14s %16s %22s\n' "config ($RUNS runs)" "ready (ms)" "vs plain" "master RSS MB" "worker RSS MB" "kill -9 -> ready (ms)"
printf '%-22s %14s %10s %14s %16s %22s\n' "plain single JVM" "$plain" "1.00" "-" "$(med "${RSS_W[plain]}")" "-"
for n in 1 2; do
  t=$(med "${T[w$n]}")
  printf '%-22s %14s %10s %14s %16s %22s\n' "jproc, $n worker(s)" "$t" "$(ratio "$t" "$plain")" \
    "$(med "${RSS_M[w$n]}")" "$(med "${RSS_W[w$n]}")" "$( [ "$n" = 2 ] && med "${RESP[w2]}" || echo -)"
done
echo "raw: plain=[${T[plain]}] w1=[${T[w1]}] w2=[${T[w2]}] respawn=[${RESP[w2]}]"
