#!/usr/bin/env bash
# The master's memory with a pool of 2 workers: RSS and Pss (/proc/PID/status,
# /proc/PID/smaps_rollup) and loaded classes (jcmd VM.classloader_stats), idle 10 s after
# the pool is ready, and the highest RSS seen (sampled every second) during LOAD_SECS of
# wrk -t1 -c16 on /. Median of RUNS runs.
#
# usage: bench/master-memory.sh [RUNS=3] [LOAD_SECS=30] [LEAN=true]
#   LEAN=false measures today's in-JVM master (jproc.master.lean=false), the "before".
#   JAVA_HOME_OVERRIDE=/usr/lib/jvm/temurin-25-jdk-amd64 runs the app on another JDK.
#   MASTER_JVM_ARGS="..." passes jproc.master.jvm-args (options of the lean master's JVM).
# target (issue 23): master RSS at most 64 MB, idle and under load.
source "$(dirname "$0")/lib.sh"
RUNS="${1:-3}"; LOAD_SECS="${2:-30}"; LEAN="${3:-true}"
ensure_jar; ensure_wrk
if [ -n "${JAVA_HOME_OVERRIDE:-}" ]; then PATH="$JAVA_HOME_OVERRIDE/bin:$PATH"; fi
jdk=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.version =/ {print $2}')
idle_rss=(); idle_pss=(); load_rss=(); classes=()
for run in $(seq 1 "$RUNS"); do
  log="$RESULTS/master-memory-$run.log"
  extra=(); [ -n "${MASTER_JVM_ARGS:-}" ] && extra=(--jproc.master.jvm-args="$MASTER_JVM_ARGS")
  start_pool "$log" 2 --jproc.master.lean="$LEAN" --jproc.boot-cache.enabled=false "${extra[@]}"
  sleep 10
  idle_rss+=("$(rss_mb "$MASTER")")
  idle_pss+=("$(awk '/^Pss:/ {printf "%.0f", $2/1024}' "/proc/$MASTER/smaps_rollup")")
  classes+=("$(jcmd "$MASTER" VM.classloader_stats 2>/dev/null | awk '$1 ~ /^0x/ && $4 ~ /^[0-9]+$/ {n += $4} END {print n+0}')")
  wrk -t1 -c16 -d"${LOAD_SECS}s" "http://127.0.0.1:$PORT/" >"$RESULTS/master-memory-wrk-$run.txt" 2>&1 &
  WRK=$!; STARTED_PIDS+=("$WRK")
  max=0
  while kill -0 "$WRK" 2>/dev/null; do
    r=$(rss_mb "$MASTER"); [ "$r" != "?" ] && [ "$r" -gt "$max" ] && max=$r
    sleep 1
  done
  load_rss+=("$max")
  echo "run $run: idle RSS ${idle_rss[-1]} MB, Pss ${idle_pss[-1]} MB, ${classes[-1]} classes; under load RSS at most $max MB ($(awk '/^Requests\/sec:/ {print $2}' "$RESULTS/master-memory-wrk-$run.txt") req/s)" >&2
  stop_tree "$MASTER"
done
printf 'JDK %s, lean=%s, %s runs (medians)%s\n' "$jdk" "$LEAN" "$RUNS" "${MASTER_JVM_ARGS:+, master JVM args: $MASTER_JVM_ARGS}"
printf '%-22s %s\n' "idle RSS MB" "$(printf '%s\n' "${idle_rss[@]}" | median)" \
  "idle Pss MB" "$(printf '%s\n' "${idle_pss[@]}" | median)" \
  "loaded classes" "$(printf '%s\n' "${classes[@]}" | median)" \
  "RSS under load MB" "$(printf '%s\n' "${load_rss[@]}" | median)"
