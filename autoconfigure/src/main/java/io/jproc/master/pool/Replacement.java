package io.jproc.master.pool;

import io.jproc.ipc.WireEnum;

/**
 * Why a slot wants a worker: the reason its incoming worker is being started. A slot
 * holds at most one incoming worker whatever the number of reasons. Its
 * {@linkplain WireEnum#wireName() wire name} shows in {@code /actuator/workers} and in
 * metrics tags.
 */
public enum Replacement implements WireEnum {

	/** The pool's first worker for the slot. */
	START(false),

	/** A slot added by scaling up. */
	SCALE(false),

	/** The slot's worker ended without being asked. */
	CRASH(true),

	/** The slot's previous worker never became ready. */
	BOOT_FAILURE(true),

	/** The slot's worker retired urgently: fatal error or broken liveness. */
	FATAL(true),

	/** The slot's worker stopped sending heartbeats. */
	HUNG(true),

	/** The slot's worker asked to be recycled, or the application asked it to retire. */
	PLANNED(true),

	/** A rolling reload. */
	RELOAD(true),

	/** An operator restarted this one worker. */
	RESTART(true);

	private final boolean restart;

	Replacement(boolean restart) {
		this.restart = restart;
	}

	/**
	 * Whether a worker started for this reason counts as a restart of its slot.
	 * @return {@code false} for a slot's first worker
	 */
	boolean isRestart() {
		return this.restart;
	}

	/**
	 * Whether the worker is wanted because its predecessor failed, rather than by plan.
	 * @return {@code true} for crash, boot failure, fatal and hung
	 */
	boolean isFailure() {
		return this == CRASH || this == BOOT_FAILURE || this == FATAL || this == HUNG;
	}

}
