#!/usr/bin/env bash
# Spare workers against none: kill -9 of a worker of a WORKERS-worker pool (default 2), idle
# and under wrk,
# with jproc.spare-workers=0 (none), 1 (spare: the default warm-up, 500 requests to /), 1
# with warm-up off (cold: jproc.warmup.requests=0) and 1 with WARMUP_REQUESTS (warm:
# jproc.warmup.requests=WARMUP_REQUESTS to /), in the same run (MODES chooses). Per kill it prints
#   - kill -> the first answer from a process that was not serving before (a probe that
#     opens a new connection for every request, as a client retrying elsewhere would);
#   - under load only: requests wrk completed in the 30 s after the kill, and in the 30 s
#     window just before it, without a kill (undisturbed: the same pool, as warm as it
#     is at that moment). kept = after-kill / undisturbed is the share of throughput a
#     kill leaves. It can exceed 1: the undisturbed window usually has a cold worker
#     (the replacement of the idle kill just before) taking half the connections, and a
#     cold JVM spends a core on its JIT compiler while it serves a fraction of a warm one.
#   - the share of the after-kill requests that the replacement served: wrk reconnects the
#     killed worker's connections at once, before any replacement accepts, so with
#     keep-alive load the survivors keep them and a replacement (spare or not) may serve
#     none of wrk's requests in the window; what then differs between the modes is what
#     boots beside the survivors (a new spare at nice 10, or the replacement at nice 0).
# Then the medians and the ratios (spare / none).
#   bench/spare.sh [KILLS] [CONNECTIONS] [WARMUP_S] [MODES] [WARMUP_REQUESTS]
#   (default 3 16 20 "none spare warm" 2000)
# WORKERS=1 measures a pool of one worker, where a kill without a spare leaves no worker at
# all until the replacement is ready; with WORKERS=N the survivors keep serving, so with a
# load whose capacity is the CPU (or any capacity shared by the workers) the ratio is
# bounded by what the survivors cannot take over (at most N/(N-1) with per-worker capacity).
# CACHE=1 turns the boot cache on (its default) in a directory of its own, prepared first
# by a pool that is then stopped, so that every worker and spare of the measured pools
# boots from it; without it the cache is off and they boot from the jar.
# CLOSE=1 makes wrk send "Connection: close", a new connection per request, so that a
# replacement gets its share of the load as soon as it accepts.
# WARMUP_S of wrk load warms the pool before the first kill; the replacement itself is
# cold either way (a fresh JVM, or a spare that served nothing yet), so this measures
# the hand-over and the first 30 s of a cold worker, not steady state. With a short
# WARMUP_S (20) the surviving worker is still compiling too, which adds JIT warm-up to
# kept; 180 leaves only the cold replacement's share of it.
source "$(dirname "$0")/lib.sh"
KILLS="${1:-3}"; CONNS="${2:-16}"; WARMUP="${3:-20}"; MODES="${4:-none spare warm}"; WARMUP_REQUESTS="${5:-2000}"
ensure_jar; ensure_wrk
WRK_ARGS=(); [ "${CLOSE:-0}" = 1 ] && WRK_ARGS=(-H "Connection: close")

# probe PORT EXCLUDED_PIDS TIMEOUT_S: ms from now to the first answer by another pid
probe() {
  python3 - "$@" <<'EOF'
import re, socket, sys, time
port, excluded, timeout = int(sys.argv[1]), set(sys.argv[2].split(",")), float(sys.argv[3])
start = time.monotonic()
while time.monotonic() - start < timeout:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        m = re.search(rb'"pid":(\d+)', data)
        if m and m.group(1).decode() not in excluded:
            print(int((time.monotonic() - start) * 1000))
            sys.exit(0)
    except OSError:
        pass
print(-1)
EOF
}

served_by() { # PORT PIDS: requests served so far by each of PIDS (0 if gone), from /actuator/workers
  sleep "${HEARTBEAT_WAIT:-2.5}"
  curl -s "http://127.0.0.1:$1/actuator/workers" | python3 -c '
import json, sys
served = {str(w["pid"]): w["requestsServed"] or 0 for w in json.load(sys.stdin)["workers"] if w["pid"]}
print(" ".join(str(served.get(p, 0)) for p in sys.argv[1].split(",")))' "$2"
}

declare -A first_idle first_load served undisturbed kept by_replacement
CACHE_ARGS=(--jproc.boot-cache.enabled=false)
if [ "${CACHE:-0}" = 1 ]; then
  CACHE_ARGS=(--jproc.boot-cache.enabled=true --jproc.boot-cache.dir="$RESULTS/spare-boot-cache")
  # The key covers the JVM options, which depend on the worker and spare counts: prepare
  # the cache with the measured pool's shape.
  start_pool "$RESULTS/spare-cache-prepare.log" "${WORKERS:-2}" --jproc.spare-workers=1 "${CACHE_ARGS[@]}"
  wait_log "$RESULTS/spare-cache-prepare.log" "jproc boot cache: ready at" 600
  stop_tree "$MASTER"
fi
for mode in $MODES; do
  spares=1; extra=()
  case "$mode" in
    none) spares=0 ;;
    warm) extra=(--jproc.warmup.requests="$WARMUP_REQUESTS" --jproc.warmup.paths=/) ;;
    cold) extra=(--jproc.warmup.requests=0) ;; # a spare without warm-up (on by default since 2026-12-05)
  esac
  log="$RESULTS/spare-$mode.log"
  start_pool "$log" "${WORKERS:-2}" --jproc.spare-workers=$spares "${CACHE_ARGS[@]}" "${extra[@]}"
  port=$PORT; master=$MASTER
  waiting=0
  if [ "$spares" = 1 ]; then waiting=1; wait_log "$log" "waiting as a spare" 120 1; fi
  run_wrk "$RESULTS/spare-warmup-$mode.txt" "$port" / "$WARMUP" "$CONNS" "${WRK_ARGS[@]}" >/dev/null
  for k in $(seq 1 "$KILLS"); do
    for load in idle load; do
      readies=$(grep -c "ready in" "$log")
      serving=$(serving_pids "$port" | tr ' ' ',')
      victim=${serving%%,*}
      if [ "$load" = load ]; then
        run_wrk "$RESULTS/spare-$mode-$k-undisturbed.txt" "$port" / 30 "$CONNS" "${WRK_ARGS[@]}" \
          > "$RESULTS/spare-$mode-$k-undisturbed.summary"
        read -r _ _ _ undisturbed_total _ _ < "$RESULTS/spare-$mode-$k-undisturbed.summary"
        undisturbed[$mode]+="$undisturbed_total "
        read -r victim_served _ <<< "$(served_by "$port" "$victim")"
        run_wrk "$RESULTS/spare-$mode-$k.txt" "$port" / 30 "$CONNS" "${WRK_ARGS[@]}" > "$RESULTS/spare-$mode-$k.summary" &
        wrk_pid=$!
        sleep 0.2
      fi
      kill -KILL "$victim"
      ms=$(probe "$port" "$serving" 120)
      if [ "$load" = load ]; then
        wait "$wrk_pid" || true
        read -r rps p50 p99 total non2xx errs < "$RESULTS/spare-$mode-$k.summary"
        replacement=$(serving_pids "$port" | tr ' ' '\n' | grep -vxF -f <(echo "$serving" | tr ',' '\n') | head -1 || true)
        read -r replacement_served _ <<< "$(served_by "$port" "${replacement:-0}")"
        served[$mode]+="$total "
        kept[$mode]+="$(ratio "$total" "$undisturbed_total") "
        first_load[$mode]+="$ms "
        by_replacement[$mode]+="$(awk -v a="$replacement_served" -v b="$total" 'BEGIN { printf "%.1f", (b > 0) ? 100 * a / b : 0 }') "
        echo "$mode kill $k under load: first answer by the replacement after $ms ms; $total requests in the 30 s after the kill ($non2xx non-2xx, $errs socket errors), $replacement_served of them by the replacement; $undisturbed_total in the 30 s before it, $victim_served of them by the worker then killed (up to then)"
      else
        first_idle[$mode]+="$ms "
        echo "$mode kill $k idle: first answer by the replacement after $ms ms"
      fi
      # Whole again before the next kill: the replacement (and, with spares, a new spare) ready.
      wait_log "$log" "ready in" 180 $((readies + 1))
      if [ "$spares" = 1 ]; then waiting=$((waiting + 1)); wait_log "$log" "waiting as a spare" 180 "$waiting"; fi
      sleep 2
    done
  done
  stop_tree "$master"
done

med() { echo "$1" | tr ' ' '\n' | { grep -v '^$' || true; } | median; }
with_none=0; [[ " $MODES " == *" none "* ]] && with_none=1   # the ratio columns need it
echo
printf '%-44s' "median of $KILLS kills"
for mode in $MODES; do printf ' %10s' "$mode"; done
[ "$with_none" = 1 ] && for mode in $MODES; do [ "$mode" = none ] || printf ' %12s' "$mode/none"; done
echo
for row in "kill -> first answer, idle (ms):first_idle" "kill -> first answer, under load (ms):first_load" "requests in the 30 s after the kill:served" \
  "% of those the replacement served:by_replacement" \
  "requests in 30 s undisturbed, just before:undisturbed" "kept (after the kill / undisturbed):kept"; do
  label=${row%%:*}; var=${row##*:}
  declare -n values="$var"
  printf '%-44s' "$label"
  for mode in $MODES; do printf ' %10s' "$(med "${values[$mode]:-}")"; done
  base=$(med "${values[none]:-}")
  [ "$with_none" = 1 ] && for mode in $MODES; do [ "$mode" = none ] || printf ' %12s' "$(ratio "$(med "${values[$mode]:-}")" "$base")"; done
  echo
done
echo "(${WORKERS:-2} workers, boot cache $([ "${CACHE:-0}" = 1 ] && echo on || echo off), $CONNS connections$([ "${CLOSE:-0}" = 1 ] && echo ", a new one per request"), ${WARMUP} s wrk warm-up before the first kill, warm = $WARMUP_REQUESTS warm-up requests, $(java -version 2>&1 | head -1), $(date -u +%F))"
