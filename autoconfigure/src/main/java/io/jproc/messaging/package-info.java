/**
 * Messages between workers and leadership of the pool:
 * {@link io.jproc.messaging.JprocMessenger}, {@link io.jproc.messaging.JprocListener},
 * {@link io.jproc.messaging.CrossWorker} events and
 * {@link io.jproc.messaging.JprocLeadership}.
 */
@NullMarked
package io.jproc.messaging;

import org.jspecify.annotations.NullMarked;
