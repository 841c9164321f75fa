package io.jproc;

import io.jproc.ipc.WireEnum;

/**
 * What the master is doing with its pool, as {@code /actuator/workers} and health show
 * it.
 */
public enum PoolState implements WireEnum {

	/** Keeping every slot filled. */
	RUNNING,

	/** Running, but at least one slot was given up. */
	GIVING_UP,

	/** Draining every worker before it exits. */
	SHUTTING_DOWN

}
