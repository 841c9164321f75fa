/**
 * The master: one loop that alone owns the pool.
 * <p>
 * Owns: {@code MasterLauncher} (decides the role, binds the sockets, runs the loop),
 * {@code Arbiter} (the loop and its dispatch), {@code LoopQueue} (its bounded queue),
 * {@code MalformedFrames}, {@code MasterSignals}, {@code PoolSnapshot} (the pool's status
 * as {@code /actuator/workers} shows it) and {@code UnseenArguments}.
 * <p>
 * Its sub-packages, from the bottom up: {@code process} (worker processes and the OS),
 * {@code pool} (policy), {@code bootcache}, {@code launch} (starting a worker),
 * {@code systemd}, {@code relay} (application messages and leadership). This package may
 * import all of them; none of them imports this package. See
 * {@code docs/ARCHITECTURE.md}.
 */
@NullMarked
package io.jproc.master;

import org.jspecify.annotations.NullMarked;
