package io.jproc.messaging;

/**
 * Published when this worker becomes the leader.
 *
 * @param epoch the epoch it leads
 */
public record LeadershipGranted(long epoch) {
}
