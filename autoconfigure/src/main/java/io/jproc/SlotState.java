package io.jproc;

import io.jproc.ipc.WireEnum;

/**
 * What a worker slot is doing, as {@code /actuator/workers}, health and metrics show it:
 * its worker's state, or for a slot without a worker why it has none.
 */
public enum SlotState implements WireEnum {

	/** Its worker is booting. */
	STARTING,

	/** Its worker accepts and serves. */
	READY,

	/** Its worker serves until its replacement is ready (planned retirement). */
	RETIRING,

	/** Its worker no longer accepts and finishes its requests. */
	DRAINING,

	/**
	 * No worker, none waiting: the next one starts at once, or as soon as fewer than
	 * {@code jproc.worker.max-booting} JVMs boot.
	 */
	EXITED,

	/** No worker: the next one starts after a backoff. */
	BACKOFF,

	/** No worker, and none will start: the slot failed too often. */
	GIVEN_UP;

	/**
	 * Whether a slot in this state has a worker taking traffic.
	 * @return {@code true} for {@link #READY} and {@link #RETIRING}
	 */
	public boolean isServing() {
		return this == READY || this == RETIRING;
	}

}
