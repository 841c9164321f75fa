/**
 * Worker processes as the master sees them, and the operating system under them.
 * <p>
 * Owns: {@code WorkerHandle} and its {@code WorkerState} (one process: pid, channel,
 * heartbeat figures, deadlines), {@code Exit} (how it ended), {@code MasterEvent} (what
 * the loop learns from processes, signals and helpers), {@code Spawner}
 * ({@code posix_spawnp}, the reaper, close-on-exec), {@code FatalErrors} (what a thread
 * of the master survives), {@code Signaller} and {@code PosixSignal}, {@code CpuPriority}
 * (nice values), {@code WorkerCommand} (reading the master's own command line) and
 * {@code Durations} (how log lines write a duration).
 * <p>
 * May import: {@code io.jproc}, {@code io.jproc.ipc}. Nothing else of the master: every
 * other master package builds on this one.
 */
@NullMarked
package io.jproc.master.process;

import org.jspecify.annotations.NullMarked;
