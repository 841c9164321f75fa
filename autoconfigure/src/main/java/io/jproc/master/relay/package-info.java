/**
 * Application traffic between workers, and leadership.
 * <p>
 * Owns: {@code MessageRelay} (forwards application frames on the channel readers' threads
 * to the destinations' bounded queues, pushes the member list), {@code Leadership} (the
 * epoch state machine) and {@code LeadershipKeeper} (which drives it from the live
 * workers), {@code ScrapeFanOut} (pool-wide Prometheus scrapes).
 * <p>
 * May import: {@code process}. Never the loop or the pool.
 */
@NullMarked
package io.jproc.master.relay;

import org.jspecify.annotations.NullMarked;
