#!/usr/bin/env bash
# Rolling reload under load: a 2-worker pool under wrk; RELOADS consecutive SIGHUP
# reloads while the load runs. Prints total requests, non-2xx, socket errors and
# timeouts (target 0 each) and each reload's duration.
#   bench/reload-under-load.sh [RELOADS] [CONNECTIONS] [MODE] [APP ARGS...]
#   (default 3 16 keepalive; MODE close = new connection per request). With
#   --jproc.boot-cache.enabled=true among the app args, the reloads start once the boot
#   cache is ready, so every new worker boots from it; compare with =false.
# SERIES=1 also writes what wrk completed per second, through bench/series.lua, to
#   $RESULTS/reload-under-load.series.tsv (epoch second, responses, non-2xx) and the
#   moments of each SIGHUP, each new worker taking its slot and "reload complete" to
#   reload-under-load.events.tsv, then
#   draws them with bench/plot.sh (gnuplot) into reload-under-load.png. The table is the
#   same; wrk spends some CPU on the Lua callback, so compare series runs with each other.
source "$(dirname "$0")/lib.sh"
RELOADS="${1:-3}"; CONNS="${2:-16}"; MODE="${3:-keepalive}"; shift 3 || shift $#
ensure_jar; ensure_wrk
extra=(); [ "$MODE" = close ] && extra=(-H "Connection: close")
log="$RESULTS/reload-under-load.log"
start_pool "$log" 2 "$@"; port=$PORT; master=$MASTER
if grep -q "SIGINT, SIGHUP were ignored" "$log"; then
  # started under nohup (or as a background job of a script): the master never sees SIGHUP
  echo "reload-under-load: SIGHUP is ignored in this session, so the master cannot reload on it (see $log); run the script without nohup" >&2
  exit 1
fi
if grep -q -- "--jproc.boot-cache.enabled=true" <<<"$*"; then
  wait_log "$log" "jproc boot cache: ready at" 600
fi
run_wrk "$RESULTS/reload-warmup.txt" "$port" / 3 "$CONNS" "${extra[@]}" >/dev/null
out="$RESULTS/wrk-reload.txt"
series=(); events="$RESULTS/reload-under-load.events.tsv"
if [ "${SERIES:-0}" = 1 ]; then
  export SERIES_OUT="$RESULTS/reload-under-load.series.tsv"
  series=(-s "$BENCH_DIR/series.lua")
  printf '# epoch_s\tevent\n' >"$events"
fi
mark() { [ "${SERIES:-0}" = 1 ] && printf '%s\t%s\n' "$(date +%s.%N)" "$1" >>"$events"; return 0; }
# wrk runs until every reload is over (then SIGINT makes it print its summary), 15 min at most
secs=900
wrk -t2 -c"$CONNS" -d"${secs}s" --latency --timeout 10s "${extra[@]}" "${series[@]}" "http://127.0.0.1:$port/" >"$out" 2>&1 &
wrk_pid=$!; STARTED_PIDS+=("$wrk_pid")   # killed on any exit, a timeout included
sleep 3
durations=""
for r in $(seq 1 "$RELOADS"); do
  mark "SIGHUP $r"
  kill -HUP "$master"
  wait_log "$log" "reload complete" 300 "$r"
  mark "reload $r complete"
  durations+="$(grep "reload complete" "$log" | sed -n "${r}p" | sed -E 's/.* in ([0-9.]+) s.*/\1/') "
  sleep 2
done
kill -INT "$wrk_pid" 2>/dev/null || true
wait "$wrk_pid" 2>/dev/null || true
total=$(awk '/requests in/ {print $1}' "$out")
non2xx=$(awk -F: '/Non-2xx or 3xx responses/ {gsub(/ /, "", $2); print $2}' "$out"); non2xx=${non2xx:-0}
read -r connect readerr writeerr timeouts < <(awk '/Socket errors/ {gsub(/,/, ""); print $4, $6, $8, $10}' "$out") || true
connect=${connect:-0}; readerr=${readerr:-0}; writeerr=${writeerr:-0}; timeouts=${timeouts:-0}
echo
echo "reload under load: $RELOADS x SIGHUP, 2 workers, wrk -t2 -c$CONNS ($MODE), app args: ${*:-none}, $(date -u +%F)"
printf '%-12s %10s %16s %12s %10s %24s\n' requests non-2xx "socket errors" "(r/w/conn)" timeouts "reload durations (s)"
printf '%-12s %10s %16s %12s %10s %24s\n' "${total:-0}" "$non2xx" "$((connect + readerr + writeerr))" "$readerr/$writeerr/$connect" "$timeouts" "$durations"
stop_tree "$master"
if [ "${SERIES:-0}" = 1 ]; then
  # each new worker of a reload that took its slot, from the master's log
  grep -E "replaces the worker before it \(reload" "$log" | while read -r line; do
    printf '%s\t%s replaced\n' "$(date -d "${line%% *}" +%s.%N)" "$(grep -oE 'worker [0-9]+' <<<"$line" | head -1)"
  done >>"$events"
  "$BENCH_DIR/plot.sh" reload "$SERIES_OUT" "$events" "$RESULTS/reload-under-load.png" \
    "reload under load, $RELOADS x SIGHUP, 2 workers, wrk -c$CONNS ($MODE), $(date -u +%F): $((connect + readerr + writeerr)) socket errors, $timeouts timeouts" \
    && echo "chart: $RESULTS/reload-under-load.png"
fi
[ "$non2xx" = 0 ] && [ "$((connect + readerr + writeerr + timeouts))" = 0 ]
