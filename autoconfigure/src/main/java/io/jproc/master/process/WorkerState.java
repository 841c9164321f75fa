package io.jproc.master.process;

import java.util.EnumSet;
import java.util.Set;

/**
 * Lifecycle of one worker process, as the master sees it. The allowed moves:
 *
 * <pre>
 * STARTING --ready--> READY --retire (planned)--> RETIRING --replacement ready--> DRAINING
 * STARTING, READY, RETIRING --stop, fatal retire, hang--> DRAINING
 * any --process ended--> EXITED
 * </pre>
 */
public enum WorkerState {

	/** Spawned, booting; not yet taking traffic. */
	STARTING,

	/** Accepting and serving. */
	READY,

	/**
	 * Asked to be replaced for a planned reason; keeps serving until its replacement is
	 * ready.
	 */
	RETIRING,

	/** No longer accepting; finishing in-flight requests before it exits. */
	DRAINING,

	/** The process has ended. */
	EXITED;

	private Set<WorkerState> next() {
		return switch (this) {
			case STARTING -> EnumSet.of(READY, DRAINING, EXITED);
			case READY -> EnumSet.of(RETIRING, DRAINING, EXITED);
			case RETIRING -> EnumSet.of(DRAINING, EXITED);
			case DRAINING -> EnumSet.of(EXITED);
			case EXITED -> EnumSet.noneOf(WorkerState.class);
		};
	}

	/**
	 * Whether this state may move to the given one.
	 * @param target the next state
	 * @return {@code true} if the move is allowed
	 */
	public boolean canMoveTo(WorkerState target) {
		return next().contains(target);
	}

	/**
	 * Whether a worker in this state is taking traffic.
	 * @return {@code true} for READY and RETIRING
	 */
	public boolean isServing() {
		return this == READY || this == RETIRING;
	}

}
