package io.jproc.master.pool;

/**
 * What the master as a whole is doing, as the pool's status shows it.
 */
public enum MasterState {

	/** Keeping the pool at its wanted size. */
	RUNNING,

	/** Draining every worker before exiting. */
	SHUTTING_DOWN

}
