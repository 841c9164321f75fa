package io.jproc.messaging;

/**
 * Published when this worker stops leading, after its leader-only work in progress has
 * finished and before it tells the master (so listeners can stop leader-only work first).
 *
 * @param epoch the epoch it gave up
 */
public record LeadershipRevoked(long epoch) {
}
