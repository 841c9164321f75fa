#!/usr/bin/env bash
# Median latency of GET /actuator/workers and of an aggregated GET /actuator/prometheus
# with 2 workers, against GET /actuator/health, on one running pool. /actuator/health
# includes the workers contributor (one round trip to the master); /actuator/health/ping
# is the baseline without any IPC.
# Every request is a new connection (curl), so any worker may answer.
#
#   bench/endpoint-latency.sh [requests-per-endpoint] [runs]
#
# Needs sample-app/target/sample-app.jar (mvn -B -q package -DskipTests) and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-200}
runs=${2:-3}
jar=sample-app/target/sample-app.jar
log=$(mktemp -t jproc-bench.XXXXXX.log)

java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m -jar "$jar" \
  --server.address=127.0.0.1 --server.port=0 --jproc.workers=2 >"$log" 2>&1 &
master=$!
trap 'kill -TERM $master 2>/dev/null; wait $master 2>/dev/null || true; rm -f "$log"' EXIT

for _ in $(seq 1 120); do
  grep -q "all 2 workers ready" "$log" && break
  kill -0 $master 2>/dev/null || { cat "$log"; exit 1; }
  sleep 1
done
grep -q "all 2 workers ready" "$log" || { echo "pool not ready in 120 s" >&2; exit 1; }
port=$(grep -oP 'listening on [^ ]+:\K[0-9]+' "$log" | head -1)

median_ms() { # path -> median of time_total in ms over $requests requests
  for _ in $(seq 1 "$requests"); do
    curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port$1"
  done | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f", m*1000}'
}

# warm-up: JIT and lazily created meters
for path in /actuator/health /actuator/workers /actuator/prometheus; do
  for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port$path"; done
done

printf "%-4s %9s %10s %11s %9s %10s %8s\n" run ping-ms health-ms workers-ms prom-ms workers/h prom/h
for run in $(seq 1 "$runs"); do
  g=$(median_ms /actuator/health/ping)
  h=$(median_ms /actuator/health)
  w=$(median_ms /actuator/workers)
  p=$(median_ms /actuator/prometheus)
  printf "%-4s %9s %10s %11s %9s %10.2f %8.2f\n" "$run" "$g" "$h" "$w" "$p" \
    "$(echo "$w / $h" | bc -l)" "$(echo "$p / $h" | bc -l)"
done
echo "($requests requests per endpoint and run, median of curl time_total; scrape size $(curl -s "http://127.0.0.1:$port/actuator/prometheus" | wc -c) bytes)"
