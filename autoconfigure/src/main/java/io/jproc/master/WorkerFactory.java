package io.jproc.master;

import java.io.IOException;
import java.time.Instant;

/**
 * Starts one worker process. The pool's reconciling step is its only caller; the real one
 * is {@link WorkerLauncher}, the arbiter's unit tests use a fake.
 */
@FunctionalInterface
interface WorkerFactory {

	/**
	 * Start a worker.
	 * @param id the slot's id, which the worker takes as its own
	 * @param generation the spawn's number, higher than every earlier one
	 * @param now the time of the spawn
	 * @return the started worker, in state {@link WorkerState#STARTING}
	 * @throws IOException if it cannot be started
	 */
	WorkerHandle launch(int id, long generation, Instant now) throws IOException;

}
