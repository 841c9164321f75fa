#!/usr/bin/env bash
# Memory of a pool against separate JVMs, in one run: a plain single JVM of the sample app
# (--jproc.workers=0), pools of 1, 2 and 4 workers, and 4 separate plain JVMs (what a user
# would otherwise run). Each process set is loaded for the same time (wrk -t1 -cCONNECTIONS
# on GET /; the 4 separate JVMs one after another, each as much as the single one), left
# idle 5 s, then its Pss and RSS are summed over every process from /proc/PID/smaps_rollup.
# Prints whole Pss and RSS, the master alone, each worker, the marginal cost of one more
# worker ((pool of 4 - pool of 2) / 2 when both ran, workers sized alike on 2 cores; also
# (pool of 4 - pool of 1) / 3), and the ratios issue 23 targets.
#   bench/memory.sh [--load SECONDS] [--connections N] [--no-cache] [--nmt] [-- APP ARGS...]
#     --load SECONDS   load per process set (default 10)
#     --connections N  wrk connections (default 16)
#     --no-cache       workers boot from the jar (jproc.boot-cache.enabled=false); by default
#                      each pool prepares its boot cache (keyed by the workers' options, so
#                      one per pool size) in a private directory and is started again to be
#                      measured with workers booted from it, as a pool runs once it exists
#     --nmt            also print Native Memory Tracking's summary of one worker of the pool of 4
#     APP ARGS         passed to every JVM (plain and pools), e.g. --jproc.worker.jvm-args=...
#   CONFIGS="plain w1 w2 w4 plain4" selects what runs; JAR=... another build; java from PATH.
# Targets (exit 1 when missed; only when plain, w1, w4 and plain4 ran): pool of 4 <= 1.5x one
# plain JVM and <= 0.4x four plain JVMs; marginal worker <= 0.35x one plain JVM (Pss).
source "$(dirname "$0")/lib.sh"
LOAD=10 CONNS=16 CACHE_MODE=cache NMT=0 APP_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --load) LOAD="$2"; shift 2 ;;
    --connections) CONNS="$2"; shift 2 ;;
    --no-cache) CACHE_MODE=nocache; shift ;;
    --nmt) NMT=1; shift ;;
    --) shift; APP_ARGS=("$@"); break ;;
    *) echo "unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
read -r -a CONFIGS <<<"${CONFIGS:-plain w1 w2 w4 plain4}"
trap 'exit 130' INT TERM # the EXIT trap of lib.sh kills every process started, by pid
ensure_jar
ensure_wrk
JV=$(java -XshowSettings:properties -version 2>&1 | awk '/java.specification.version/ {print $3}')
STAMP="memory-$JV"
CACHE_DIR="$RESULTS/$STAMP-cache-dir"
rm -rf "$CACHE_DIR"
if [ "$CACHE_MODE" = cache ]; then
  POOL_ARGS=(--jproc.boot-cache.enabled=true --jproc.boot-cache.dir="$CACHE_DIR")
else
  POOL_ARGS=(--jproc.boot-cache.enabled=false)
fi

# kb FILE FIELD: a field of smaps_rollup in kB, 0 when the process is gone
kb() { awk -v f="$2:" '$1 == f {print $2; found=1} END {if (!found) print 0}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
mb() { awk -v k="$1" 'BEGIN {printf "%.0f", k / 1024}'; }

load() { # load PORT: wrk for LOAD seconds, then 5 s idle
  wrk -t1 -c"$CONNS" -d"${LOAD}s" --timeout 30s "http://127.0.0.1:$1/" >"$RESULTS/$STAMP-wrk-$1.txt" 2>&1 || true
  RPS=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$RESULTS/$STAMP-wrk-$1.txt")
  sleep 5
}

# workers_of MASTER: the master's children (workers; a spare counts too)
workers_of() { children "$1"; }

declare -A PSS RSS MPSS MRSS EACH REQS
plain_jvm() { # plain_jvm LOG: a plain JVM on a free port, up; sets PORT and APP_PID
  PORT=$(free_port)
  start_app "$1" --server.port="$PORT" --jproc.workers=0 "${APP_ARGS[@]}"
  wait_http "$PORT" / 180
}

run_plain() {
  plain_jvm "$RESULTS/$STAMP-plain.log"
  load "$PORT"
  PSS[plain]=$(kb "$APP_PID" Pss); RSS[plain]=$(kb "$APP_PID" Rss); REQS[plain]="$RPS"
  stop_tree "$APP_PID"
}

run_plain4() {
  local pids=() ports=() i p rps=()
  for i in 1 2 3 4; do
    plain_jvm "$RESULTS/$STAMP-plain4-$i.log"; pids+=("$APP_PID"); ports+=("$PORT")
  done
  for p in "${ports[@]}"; do load "$p"; rps+=("$RPS"); done
  local pss=0 rss=0
  for p in "${pids[@]}"; do
    pss=$((pss + $(kb "$p" Pss))); rss=$((rss + $(kb "$p" Rss)))
    EACH[plain4]+="$(mb "$(kb "$p" Pss)") "
  done
  PSS[plain4]=$pss; RSS[plain4]=$rss; REQS[plain4]="${rps[*]}"
  for p in "${pids[@]}"; do stop_tree "$p"; done
}

run_pool() { # run_pool N
  local n="$1" log="$RESULTS/$STAMP-w$1.log" extra=()
  [ "$NMT" = 1 ] && [ "$n" = 4 ] && extra=(--jproc.worker.jvm-args=-XX:NativeMemoryTracking=summary)
  start_pool "$log" "$n" "${POOL_ARGS[@]}" "${extra[@]}" "${APP_ARGS[@]}"
  if [ "$CACHE_MODE" = cache ] && ! grep -q "workers start from it" "$log"; then
    # the cache is keyed by the workers' options, which depend on the pool size: let this
    # pool prepare its own, then start it again so that its workers boot from it
    wait_log "$log" "jproc boot cache: ready at" 600
    stop_tree "$MASTER"
    start_pool "$log.2" "$n" "${POOL_ARGS[@]}" "${extra[@]}" "${APP_ARGS[@]}"
    grep -q "workers start from it" "$log.2" || echo "warning: pool of $n did not start from the boot cache" >&2
  fi
  load "$PORT"
  local pss rss w
  MPSS[w$n]=$(kb "$MASTER" Pss); MRSS[w$n]=$(kb "$MASTER" Rss)
  pss=${MPSS[w$n]}; rss=${MRSS[w$n]}
  for w in $(workers_of "$MASTER"); do
    pss=$((pss + $(kb "$w" Pss))); rss=$((rss + $(kb "$w" Rss)))
    EACH[w$n]+="$(mb "$(kb "$w" Pss)") "
  done
  PSS[w$n]=$pss; RSS[w$n]=$rss; REQS[w$n]="$RPS"
  if [ "$NMT" = 1 ] && [ "$n" = 4 ]; then
    w=$(workers_of "$MASTER" | awk '{print $1}')
    echo "--- Native Memory Tracking, one worker (pid $w) of the pool of 4 ---"
    jcmd "$w" VM.native_memory summary scale=MB | sed -n '/^Total/,$p' | grep -E '^(Total|-)|committed' \
      | grep -vE '^\s*\(' | head -60 || true
    echo "--- smaps of that worker: largest mappings by Pss (kB) ---"
    awk '/^[0-9a-f]+-[0-9a-f]+ / {name=$6; if (name == "") name="[anon]"} /^Pss:/ {p[name]+=$2} END {for (n in p) print p[n], n}' \
      "/proc/$w/smaps" | sort -rn | head -12 || true
  fi
  stop_tree "$MASTER"
}

for c in "${CONFIGS[@]}"; do
  case "$c" in
    plain) run_plain ;;
    plain4) run_plain4 ;;
    w[0-9]*) run_pool "${c#w}" ;;
    *) echo "unknown config $c" >&2; exit 2 ;;
  esac
done

echo
echo "java $JV ($(java -version 2>&1 | head -1)), $CACHE_MODE, load ${LOAD}s wrk -t1 -c$CONNS then 5 s idle, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-22s %10s %10s %12s %12s %-24s %s\n' "what runs" "Pss MB" "RSS MB" "master Pss" "master RSS" "each worker / JVM Pss" "requests/s"
for c in "${CONFIGS[@]}"; do
  case "$c" in
    plain) name="plain single JVM" ;;
    plain4) name="4 separate plain JVMs" ;;
    *) name="pool of ${c#w}" ;;
  esac
  printf '%-22s %10s %10s %12s %12s %-24s %s\n' "$name" "$(mb "${PSS[$c]:-0}")" "$(mb "${RSS[$c]:-0}")" \
    "$( [ -n "${MPSS[$c]:-}" ] && mb "${MPSS[$c]}" || echo -)" "$( [ -n "${MRSS[$c]:-}" ] && mb "${MRSS[$c]}" || echo -)" \
    "${EACH[$c]:--}" "${REQS[$c]:-}"
done
status=0
if [ -n "${PSS[plain]:-}" ] && [ -n "${PSS[w1]:-}" ] && [ -n "${PSS[w4]:-}" ]; then
  marginal=$(( (PSS[w4] - PSS[w1]) / 3 ))
  if [ -n "${PSS[w2]:-}" ]; then
    # A pool of 1 on 2 cores gives its worker both processors, so G1 and a heap of its own
    # size: (pool of 4 - pool of 2) / 2 compares workers sized alike (one processor each
    # on 2 cores) and is the one checked; both are printed.
    echo "marginal worker: $(mb "$marginal") MB Pss ((pool of 4 - pool of 1) / 3)"
    marginal=$(( (PSS[w4] - PSS[w2]) / 2 ))
    echo "marginal worker: $(mb "$marginal") MB Pss ((pool of 4 - pool of 2) / 2, checked)"
  else
    echo "marginal worker: $(mb "$marginal") MB Pss ((pool of 4 - pool of 1) / 3)"
  fi
  r4=$(ratio "${PSS[w4]}" "${PSS[plain]}"); rm=$(ratio "$marginal" "${PSS[plain]}")
  echo "pool of 4 / plain JVM: $r4 (target <= 1.5)"
  echo "marginal worker / plain JVM: $rm (target <= 0.35)"
  awk -v a="$r4" -v b="$rm" 'BEGIN { exit !(a <= 1.5 && b <= 0.35) }' || status=1
  if [ -n "${PSS[plain4]:-}" ]; then
    r44=$(ratio "${PSS[w4]}" "${PSS[plain4]}")
    echo "pool of 4 / 4 plain JVMs: $r44 (target <= 0.4)"
    awk -v a="$r44" 'BEGIN { exit !(a <= 0.4) }' || status=1
  fi
fi
exit $status
