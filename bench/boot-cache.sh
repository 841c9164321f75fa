#!/usr/bin/env bash
# Boot cache: replacement boot time and Pss per worker with the cache against without,
# and with the cache but -XX:ArchiveRelocationMode=1 (the JVM's default; jproc uses 0 so
# that workers share the archive's pages), on JDK 17 (java on PATH) and Temurin 25, measured
# in the same run. Each run and configuration starts a 2-worker pool, kills each worker
# once (kill -9) and reads the replacement's boot time from the master's "ready in" line,
# then the Pss of both (replaced) workers from /proc/PID/smaps_rollup after 5 s of rest,
# and their Pss outside the Java heap (the heap's address range from jcmd GC.heap_info):
# the cache acts on class metadata, symbols and the archive's shared pages, not on the
# heap, whose resident size is the same with or without it (with the Serial GC a
# right-sized worker gets, every page of eden is touched before the first collection).
#   bench/boot-cache.sh [RUNS] [JDK_HOMES...]   (default 3, the java on PATH and Temurin 25)
#   CONFIGS="plain cache" bench/boot-cache.sh 2   skips the ArchiveRelocationMode=1 config
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

# nonheap_pss_mb PID: Pss of every mapping outside the Java heap's reserved range
nonheap_pss_mb() {
  local range
  range=$(jcmd "$1" GC.heap_info 2>/dev/null | grep -oE '0x[0-9a-f]+' | tr '\n' ' ') || true
  python3 - "$1" "$range" <<'EOF2'
import re, sys
pid, rng = sys.argv[1], sys.argv[2]
m = [int(x, 16) for x in re.findall(r'0x([0-9a-f]+)', rng)]
lo, hi = (min(m), max(m)) if m else (0, 0)  # every generation's range, so the whole reserved heap
total, start = 0, 0
try:
    for line in open(f'/proc/{pid}/smaps'):
        head = re.match(r'^([0-9a-f]+)-([0-9a-f]+) ', line)
        if head:
            start = int(head.group(1), 16)
        elif line.startswith('Pss:') and not (lo <= start < hi):
            total += int(line.split()[1])
    print(total // 1024 if hi else '?')
except OSError:
    print('?')
EOF2
}

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
  for w in $(children "$MASTER"); do
    PSS[$name]+="$(( $(pss_kb "$w") / 1024 )) "
    NONHEAP[$name]+="$(nonheap_pss_mb "$w") "
  done
  stop_tree "$MASTER"
}

read -r -a CONFIGS <<<"${CONFIGS:-plain cache reloc1}"
status=0
printf '\n%-10s %-22s %16s %8s %14s %8s %18s %8s\n' JDK config "boot (s, median)" "ratio" "Pss MB/worker" "ratio" \
  "outside heap MB" "ratio"
for jdk in "${JDKS[@]}"; do
  declare -A BOOT=() PSS=() NONHEAP=()
  export PATH="$jdk/bin:$PATH"
  v=$(java -XshowSettings:properties -version 2>&1 | awk '/java.specification.version/ {print $3}')
  for run in $(seq 1 "$RUNS"); do
    for c in "${CONFIGS[@]}"; do
      case "$c" in
        plain) measure plain "$RESULTS/boot-cache-$v-plain-$run.log" --jproc.boot-cache.enabled=false ;;
        cache) measure cache "$RESULTS/boot-cache-$v-cache-$run.log" --jproc.boot-cache.enabled=true \
          --jproc.boot-cache.dir="$CACHE" ;;
        reloc1) measure reloc1 "$RESULTS/boot-cache-$v-reloc1-$run.log" --jproc.boot-cache.enabled=true \
          --jproc.boot-cache.dir="$CACHE" \
          --jproc.worker.jvm-args=-XX:+UnlockDiagnosticVMOptions,-XX:ArchiveRelocationMode=1 ;;
      esac
    done
  done
  med() { echo "$1" | tr ' ' '\n' | grep -v '^$' | median; }
  bp=$(med "${BOOT[plain]}"); pp=$(med "${PSS[plain]}"); np=$(med "${NONHEAP[plain]}")
  for c in "${CONFIGS[@]}"; do
    b=$(med "${BOOT[$c]}"); p=$(med "${PSS[$c]}"); n=$(med "${NONHEAP[$c]}")
    printf '%-10s %-22s %16s %8s %14s %8s %18s %8s\n' "$v" "$c" "$b" "$(ratio "$b" "$bp")" "$p" "$(ratio "$p" "$pp")" \
      "$n" "$(ratio "$n" "$np")"
    echo "raw $v $c: boot=[${BOOT[$c]}] Pss=[${PSS[$c]}] outside heap=[${NONHEAP[$c]}]"
  done
  awk -v b="$(ratio "$(med "${BOOT[cache]}")" "$bp")" -v p="$(ratio "$(med "${PSS[cache]}")" "$pp")" \
    'BEGIN { exit !(b <= 0.5 && p <= 0.8) }' || status=1
done
exit $status
