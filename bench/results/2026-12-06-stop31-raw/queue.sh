#!/usr/bin/env bash
# measurement queue, stop 31: the defaults, medians of 3 per JDK, plus MALLOC_ARENA_MAX=2
cd /work/q
export JAR=/work/jars/s31-netty.jar RESULTS=/work/q/r
log() { echo "$(date -u +%H:%M:%S) $*" >> /work/q/queue.txt; }
T25=/usr/lib/jvm/temurin-25-jdk-amd64/bin
for i in 1 2 3; do
  log "start memory-17-$i"; bench/memory.sh > r/memory-17-$i.txt 2>&1; log "end memory-17-$i rc=$?"
  log "start memory-25-$i"; PATH=$T25:$PATH bench/memory.sh > r/memory-25-$i.txt 2>&1; log "end memory-25-$i rc=$?"
done
log "start arena2-17"; MALLOC_ARENA_MAX=2 CONFIGS="plain w4" bench/memory.sh > r/memory-17-arena2.txt 2>&1; log "end arena2-17 rc=$?"
log "start arena-default-17"; CONFIGS="plain w4" bench/memory.sh > r/memory-17-arena-default.txt 2>&1; log "end arena-default-17 rc=$?"
log "queue done"
