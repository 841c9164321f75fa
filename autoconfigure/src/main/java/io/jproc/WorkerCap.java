package io.jproc;

/**
 * The most workers a pool may have: {@code jproc.max-workers}, or its default on this
 * machine. A scale above it is refused.
 *
 * @param value the most workers
 * @param source where it comes from, in words naming the key, for a refusal
 */
public record WorkerCap(int value, String source) {

}
