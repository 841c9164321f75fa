#!/usr/bin/env bash
# Balance: share of requests per worker, read from /actuator/workers (requestsServed),
# with a new connection per request and with keep-alive connections.
#   bench/balance.sh [WORKERS] [SECONDS] [CONNECTIONS]    (default 2 10 16)
# Target (exit 1 when missed): with new connections, max/min share below 2.
source "$(dirname "$0")/lib.sh"
WORKERS="${1:-2}"; SECS="${2:-10}"; CONNS="${3:-16}"
ensure_jar; ensure_wrk
log="$RESULTS/balance.log"
start_pool "$log" "$WORKERS" --jproc.heartbeat.interval=1s; port=$PORT; master=$MASTER
served() {
  sleep 2.5
  curl -s "http://127.0.0.1:$port/actuator/workers" | python3 -c '
import json, sys
pool = json.load(sys.stdin)
print(" ".join("%d=%d" % (w["id"], w["requestsServed"] or 0) for w in pool["workers"]))'
}
share() {
  python3 - "$1" "$2" <<'PY'
import sys
before = dict(kv.split("=") for kv in sys.argv[1].split())
after = dict(kv.split("=") for kv in sys.argv[2].split())
counts = {k: int(after[k]) - int(before.get(k, 0)) for k in after}
total = sum(counts.values()) or 1
shares = " ".join("w%s %.1f%%" % (k, 100.0 * v / total) for k, v in sorted(counts.items()))
ratio = max(counts.values()) / max(1, min(counts.values()))
print("%s|%d|%.2f" % (shares, total, ratio))
PY
}
echo
echo "balance: $WORKERS workers, wrk -t2 -c$CONNS ${SECS}s per mode, $(date -u +%F)"
printf '%-26s %12s %-40s %10s\n' mode requests "share per worker" "max/min"
status=0
for mode in new-connection keepalive; do
  extra=(); [ "$mode" = new-connection ] && extra=(-H "Connection: close")
  before=$(served)
  run_wrk "$RESULTS/wrk-balance-$mode.txt" "$port" / "$SECS" "$CONNS" "${extra[@]}" >/dev/null
  after=$(served)
  IFS='|' read -r shares total ratio < <(share "$before" "$after")
  printf '%-26s %12s %-40s %10s\n' "$mode" "$total" "$shares" "$ratio"
  if [ "$mode" = new-connection ]; then
    awk -v r="$ratio" 'BEGIN { exit !(r < 2) }' || status=1
  fi
done
stop_tree "$master"
exit $status
