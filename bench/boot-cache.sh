#!/usr/bin/env bash
# Boot cache: replacement boot time and Pss per worker with the cache against without,
# and with the cache but -XX:ArchiveRelocationMode=1 (the JVM's default; jproc uses 0 so
# that workers share the archive's pages), on JDK 17 (java on PATH) and Temurin 25, measured
# in the same run. Each run and configuration starts a 2-worker pool, kills each worker
# once (kill -9) and reads the replacement's boot time from the master's "ready in" line,
# then the Pss of both (replaced) workers from /proc/PID/smaps_rollup after 5 s of rest.
#   bench/boot-cache.sh [RUNS] [JDK_HOMES...]   (default 3, the java on PATH and Temurin 25)
# Targets (exit 1 when missed): boot with the cache <= 0.5x, Pss <= 0.8x, per JDK.
source "$(dirname "$0")/lib.sh"
RUNS="${1:-3}"; shift || true
JDKS=("$@")
if [ ${#JDKS[@]} -eq 0 ]; then
  JDKS=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ] && JDKS+=(/usr/lib/jvm/temurin-25-jdk-amd64)
fi
ensure_jar
CACHE="$RESULTS/boot-cache-dir"
rm -rf "$CACHE"

pss_kb() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup" 2>/dev/null || echo "?"; }

# measure NAME LOG ARGS...: a 2-worker pool, both workers replaced once; appends to BOOT[NAME] and PSS[NAME]
measure() {
  local name="$1" log="$2"; shift 2
  start_pool "$log" 2 "$@"
  if grep -q -- "--jproc.boot-cache.enabled=true" <<<"$*"; then
    wait_log "$log" "jproc boot cache: ready at" 600
  fi
  local victim readies
  for victim in $(children "$MASTER"); do
    readies=$(grep -c "ready in" "$log")
    kill -KILL "$victim"
    wait_log "$log" "ready in" 180 $((readies + 1))
    BOOT[$name]+="$(grep "ready in" "$log" | tail -1 | sed -E 's/.*ready in ([0-9.]+) s.*/\1/') "
  done
  sleep 5
  for w in $(children "$MASTER"); do PSS[$name]+="$(( $(pss_kb "$w") / 1024 )) "; done
  stop_tree "$MASTER"
}

status=0
printf '\n%-10s %-22s %16s %8s %14s %8s\n' JDK config "boot (s, median)" "ratio" "Pss MB/worker" "ratio"
for jdk in "${JDKS[@]}"; do
  declare -A BOOT=() PSS=()
  export PATH="$jdk/bin:$PATH"
  v=$(java -XshowSettings:properties -version 2>&1 | awk '/java.specification.version/ {print $3}')
  for run in $(seq 1 "$RUNS"); do
    measure plain "$RESULTS/boot-cache-$v-plain-$run.log" --jproc.boot-cache.enabled=false
    measure cache "$RESULTS/boot-cache-$v-cache-$run.log" --jproc.boot-cache.enabled=true \
      --jproc.boot-cache.dir="$CACHE"
    measure reloc1 "$RESULTS/boot-cache-$v-reloc1-$run.log" --jproc.boot-cache.enabled=true \
      --jproc.boot-cache.dir="$CACHE" \
      --jproc.worker.jvm-args=-XX:+UnlockDiagnosticVMOptions,-XX:ArchiveRelocationMode=1
  done
  med() { echo "$1" | tr ' ' '\n' | grep -v '^$' | median; }
  bp=$(med "${BOOT[plain]}"); pp=$(med "${PSS[plain]}")
  for c in plain cache reloc1; do
    b=$(med "${BOOT[$c]}"); p=$(med "${PSS[$c]}")
    printf '%-10s %-22s %16s %8s %14s %8s\n' "$v" "$c" "$b" "$(ratio "$b" "$bp")" "$p" "$(ratio "$p" "$pp")"
  done
  echo "raw $v: boot plain=[${BOOT[plain]}] cache=[${BOOT[cache]}] reloc1=[${BOOT[reloc1]}]"
  echo "raw $v: Pss plain=[${PSS[plain]}] cache=[${PSS[cache]}] reloc1=[${PSS[reloc1]}]"
  awk -v b="$(ratio "$(med "${BOOT[cache]}")" "$bp")" -v p="$(ratio "$(med "${PSS[cache]}")" "$pp")" \
    'BEGIN { exit !(b <= 0.5 && p <= 0.8) }' || status=1
done
exit $status
