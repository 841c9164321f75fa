#!/usr/bin/env bash
# What a flood of health probes or Prometheus scrapes costs the master (issue 21): a
# 2-worker pool, wrk with 64 keep-alive connections on /actuator/health, then 16 on
# /actuator/prometheus, and GET / for reference. Prints answers a second, status codes,
# and how many status and pool-scrape requests reached the master meanwhile
# (master.queries in /actuator/workers), and the largest heartbeat age after each flood.
#
#   bench/health-flood.sh [seconds]          (JAR=... to measure another build)
#
# Needs sample-app/target/sample-app.jar and wrk.
source "$(dirname "$0")/lib.sh"
secs=${1:-10}
ensure_jar
ensure_wrk
log=$(mktemp -t jproc-health-flood.XXXXXX.log)
start_pool "$log" 2 --jproc.boot-cache.enabled=false --management.endpoint.health.show-details=always

queries() { # status scrapes heartbeat-age
  curl -s --max-time 5 "http://127.0.0.1:$PORT/actuator/workers" | python3 -c '
import json, sys
p = json.load(sys.stdin); q = p["master"].get("queries") or {}
print(q.get("status", "?"), q.get("scrapes", "?"), max((w.get("heartbeatAgeMillis") or 0) for w in p["workers"]))'
}

for path in /actuator/health /actuator/prometheus /; do
  for _ in $(seq 1 30); do curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$PORT$path"; done
done
pids_before=$(serving_pids "$PORT")
echo "build: $JAR"
printf '%-22s %5s %9s %8s %8s %8s %8s %14s %14s %10s\n' path conns "answers/s" p50_ms p99_ms requests non2xx status_to_master scrapes_to_master hb_age_ms
for flood in "/actuator/health 64" "/actuator/prometheus 16" "/ 64"; do
  set -- $flood
  read -r s0 c0 _ < <(queries)
  read -r rps p50 p99 total non2xx errs < <(run_wrk "$RESULTS/health-flood-wrk.txt" "$PORT" "$1" "$secs" "$2")
  read -r s1 c1 age < <(queries)
  printf '%-22s %5s %9s %8s %8s %8s %8s %14s %14s %10s\n' "$1" "$2" "$rps" "$p50" "$p99" "$total" "$non2xx" \
    "$((s1 - s0 - 1))" "$((c1 - c0))" "$age"
done
pids_after=$(serving_pids "$PORT")
echo "workers before: $pids_before; after: $pids_after; hung in the log: $(grep -c 'is hung' "$log" || true)"
stop_tree "$MASTER"
rm -f "$log"
