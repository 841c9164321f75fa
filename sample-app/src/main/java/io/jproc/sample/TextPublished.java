package io.jproc.sample;

import io.jproc.messaging.CrossWorker;

/**
 * An application event that crosses workers: published in one, received by plain
 * {@code @EventListener}s in every worker.
 *
 * @param text the text
 * @param origin the worker that published it
 */
@CrossWorker
public record TextPublished(String text, int origin) {
}
