#!/usr/bin/env bash
# A spare that boots while the serving workers keep every core busy: spares boot at
# nice 10, which a saturating load can starve for minutes, so the master raises a spare
# still booting at half of jproc.worker.boot-timeout to the serving workers' priority.
# Runs a 2-worker pool with 1 spare under wrk for LOAD_S seconds, kills a worker after
# 30 s (the spare takes its slot, a new spare boots under the load) and prints how long
# the new spare took to be ready, and whether it was raised or killed by the timeout.
#   bench/spare-starved.sh [LOAD_S] [CONNECTIONS] [BOOT_TIMEOUT]   (default 200 32 120s)
source "$(dirname "$0")/lib.sh"
LOAD="${1:-200}"; CONNS="${2:-32}"; BOOT_TIMEOUT="${3:-120s}"
ensure_jar; ensure_wrk
log="$RESULTS/spare-starved.log"
start_pool "$log" 2 --jproc.spare-workers=1 --jproc.boot-cache.enabled=false \
  --jproc.worker.boot-timeout="$BOOT_TIMEOUT"
port=$PORT; master=$MASTER
wait_log "$log" "waiting as a spare" 120 1
if ! grep -q "booting at nice" "$log"; then
  echo "this master cannot raise a niced spare back (no CAP_SYS_NICE): spares boot at normal priority here" >&2
fi
run_wrk "$RESULTS/spare-starved-wrk.txt" "$port" / "$LOAD" "$CONNS" > "$RESULTS/spare-starved-wrk.summary" &
wrk_pid=$!
sleep 30
victim=$(serving_pids "$port" | cut -d' ' -f1)
kill -KILL "$victim"
wait "$wrk_pid" || true
read -r rps _ _ _ _ errs < "$RESULTS/spare-starved-wrk.summary"
sleep 2
echo "killed worker pid $victim 30 s into ${LOAD} s of wrk -c$CONNS ($rps requests/s, $errs socket errors); the new spare:"
grep -E 'spare #[0-9]+ .*(still booting|ready in|not ready within)' "$log" | tail -n +2 | sed 's/.*io.jproc.master.[A-Za-z.]* *: /  /'
echo "($(java -version 2>&1 | head -1), $(date -u +%F))"
stop_tree "$master"
