#!/usr/bin/env bash
# Messaging figures on one pool of 2 workers:
#  - median ask round trip from one worker to the other (measured inside the asking
#    worker, GET /sample/ask/{id}, keeping only answers from the other worker);
#  - broadcast messages per second: one worker broadcasts N small messages (retrying
#    when its own queue is full); messages delivered per second to each worker, and
#    those dropped because a destination's queue in the master was full;
#  - heartbeat latency under that flood: the largest heartbeatAgeMillis of
#    /actuator/workers sampled during the flood, against jproc.heartbeat.interval.
#
#   bench/messaging.sh [asks] [broadcasts] [runs]
#
# Needs sample-app/target/sample-app.jar (mvn -B -q package -DskipTests) and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
asks=${1:-300}
broadcasts=${2:-50000}
runs=${3:-3}
jar=sample-app/target/sample-app.jar
log=$(mktemp -t jproc-bench.XXXXXX.log)
interval_ms=500

java -XX:+UseSerialGC -Xmx256m -jar "$jar" --server.address=127.0.0.1 --server.port=0 \
  --jproc.workers=2 --jproc.heartbeat.interval=${interval_ms}ms --jproc.heartbeat.timeout=10s \
  --sample.leader-tick=1h >"$log" 2>&1 &
master=$!
trap 'kill -TERM $master 2>/dev/null; wait $master 2>/dev/null || true; rm -f "$log"' EXIT

for _ in $(seq 1 300); do
  grep -q "all 2 workers ready" "$log" && break
  kill -0 $master 2>/dev/null || { cat "$log"; exit 1; }
  sleep 1
done
grep -q "all 2 workers ready" "$log" || { echo "pool not ready in 300 s" >&2; exit 1; }
port=$(grep -oP 'listening on [^ ]+:\K[0-9]+' "$log" | head -1)
url="http://127.0.0.1:$port"

median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.0f", m}'; }

ask_median_us() { # asks between different workers only
  for _ in $(seq 1 "$asks"); do
    for id in 1 2; do
      curl -s "$url/sample/ask/$id"; echo
    done
  done | grep -oP '"servedBy":\d+,"askedWorker":\d+,"answeredPid":\d+,"answeredWorker":\d+,"roundTripMicros":\d+' \
    | awk -F'[:,]' '$2 != $4 {print $10}' | median
}

received_total() { # sum of floodReceived of both workers (each asked directly until both seen)
  local seen="" total=0 body w n
  for _ in $(seq 1 50); do
    body=$(curl -s "$url/sample/received")
    w=$(grep -oP '"worker":\K\d+' <<<"$body")
    n=$(grep -oP '"floodReceived":\K\d+' <<<"$body")
    if [[ " $seen " != *" $w "* ]]; then seen="$seen $w"; total=$((total + n)); fi
    [ "$(wc -w <<<"$seen")" -ge 2 ] && break
  done
  echo "$total"
}

# warm-up
for _ in $(seq 1 100); do curl -s -o /dev/null "$url/sample/ask/1"; curl -s -o /dev/null "$url/sample/ask/2"; done
curl -s -o /dev/null -XPOST "$url/sample/flood?count=20000&size=100&retry=true"
sleep 3

printf "%-4s %14s %22s %20s %22s\n" run ask-median-us delivered-broadcasts/s dropped-of-sent max-heartbeat-age-ms
for run in $(seq 1 "$runs"); do
  a=$(ask_median_us)
  before=$(received_total)
  maxage=0
  start=$(date +%s%N)
  curl -s -o /dev/null -XPOST "$url/sample/flood?count=$broadcasts&size=100&retry=true" &
  flood=$!
  last=$before; last_change=$start
  while :; do
    age=$(curl -s "$url/actuator/workers" | grep -oP '"heartbeatAgeMillis":\K\d+' | sort -n | tail -1)
    [ -n "$age" ] && [ "$age" -gt "$maxage" ] && maxage=$age
    now=$(received_total)
    t=$(date +%s%N)
    if [ "$now" -gt "$last" ]; then last=$now; last_change=$t; fi
    if ! kill -0 $flood 2>/dev/null && [ $(( (t - last_change) / 1000000 )) -gt 1500 ]; then break; fi
    [ $(( (t - start) / 1000000000 )) -gt 120 ] && break
  done
  wait $flood || true
  delivered=$((last - before))
  rate=$(echo "$delivered / 2 / (($last_change - $start) / 1000000000)" | bc -l)
  printf "%-4s %14s %22.0f %20s %22s\n" "$run" "$a" "$rate" "$((2 * broadcasts - delivered)) of $((2 * broadcasts))" "$maxage"
done
echo "(asks: $asks per worker id and run, kept when asked by the other worker; broadcasts: $broadcasts of 100 bytes"
echo " from one worker to both, its sender retrying while its own queue is full; heartbeat interval ${interval_ms} ms)"
