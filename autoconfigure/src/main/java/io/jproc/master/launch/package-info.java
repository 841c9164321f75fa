/**
 * Starting one worker: what {@code io.jproc.master.pool.WorkerFactory} means for real.
 * <p>
 * Owns: {@code WorkerLauncher} (a socketpair, the command line, the environment, the
 * descriptors a worker inherits, the boot cache's jar and archive, spares at a lower
 * priority), {@code WorkerSizing} (a worker's share of processors and heap) and
 * {@code ListenSocket} (the listening sockets workers inherit).
 * <p>
 * May import: {@code process}, {@code pool} (the factory interface), {@code bootcache}.
 * Never the loop ({@code io.jproc.master}).
 */
@NullMarked
package io.jproc.master.launch;

import org.jspecify.annotations.NullMarked;
