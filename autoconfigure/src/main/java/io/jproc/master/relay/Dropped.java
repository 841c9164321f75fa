package io.jproc.master.relay;

import io.jproc.ipc.WireEnum;

/**
 * Why the master's relay did not deliver an application message. Each is counted and
 * shown in {@code /actuator/workers} ({@code master.messages.droppedByReason}) and as the
 * {@code jproc.pool.messages.dropped} meter; a sender that asked is told, never left to
 * its timeout.
 */
enum Dropped implements WireEnum {

	/** The destination's queue (or the relay's byte budget) was full. */
	QUEUE_FULL,

	/** The payload was over {@code jproc.messaging.max-payload}. */
	OVERSIZE,

	/** Sent to a slot that has no serving worker now. */
	NO_WORKER,

	/** Sent by a spare, which takes no part in messaging until it takes a slot. */
	FROM_SPARE,

	/** The destination's channel was closed: the worker has left. */
	CHANNEL_CLOSED,

	/** Queued for a worker that left, or stopped reading, before it was written. */
	LEFT_UNSENT

}
