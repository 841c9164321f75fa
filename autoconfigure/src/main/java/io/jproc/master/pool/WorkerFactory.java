package io.jproc.master.pool;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

import io.jproc.ipc.PoolStatus;
import io.jproc.master.process.WorkerHandle;
import io.jproc.master.process.WorkerState;
import org.jspecify.annotations.Nullable;

/**
 * Starts one worker process. The pool's reconciling step is its only caller; the real one
 * is {@code io.jproc.master.launch.WorkerLauncher}, the arbiter's unit tests use a fake.
 */
@FunctionalInterface
public interface WorkerFactory {

	/**
	 * Start a worker.
	 * @param id the slot's id, which the worker takes as its own;
	 * {@link io.jproc.WorkerEnvironment#SPARE_ID} for a spare, which boots at a lower CPU
	 * priority where the master can raise it back
	 * @param generation the spawn's number, higher than every earlier one
	 * @param poolSize the number of worker slots of the pool it joins, for its share of
	 * the machine (a scale changes it)
	 * @param now the time of the spawn
	 * @return the started worker, in state {@link WorkerState#STARTING}
	 * @throws IOException if it cannot be started
	 */
	WorkerHandle launch(int id, long generation, int poolSize, Instant now) throws IOException;

	/**
	 * Hook: a spare took a slot, so it must run at the priority of a serving worker.
	 * @param worker the former spare
	 */
	default void tookSlot(WorkerHandle worker) {
	}

	/**
	 * Hook: a spare has been booting for half of {@code jproc.worker.boot-timeout}. It
	 * boots at a lower CPU priority, which serving workers that keep every core busy can
	 * starve for minutes; from now on it must boot at a serving worker's priority, so
	 * that the boot timeout finds only spares that are really stuck.
	 * @param spare the spare, still starting
	 * @param booting how long it has been booting
	 */
	default void bootingLate(WorkerHandle spare, Duration booting) {
	}

	/**
	 * Hook: a worker of this factory ended (on the loop thread, before its loss is
	 * counted).
	 * @param worker the worker, exited
	 * @param bootFailure whether it failed during boot
	 * @return {@code true} when its boot failure is the factory's own: it was started
	 * from the boot cache, which is now abandoned. It then does not count against its
	 * slot, whose next worker starts from the jar at once.
	 */
	default boolean ended(WorkerHandle worker, boolean bootFailure) {
		return false;
	}

	/**
	 * Every wanted worker is ready: a chance to prepare what later workers start from
	 * (the boot cache) without slowing the first ones.
	 */
	default void poolReady() {
	}

	/**
	 * The boot cache, for the pool's status.
	 * @return its state, {@code null} when this factory has none
	 */
	default PoolStatus.@Nullable BootCache bootCache() {
		return null;
	}

	/**
	 * The master is leaving: stop any helper process (a boot cache training run).
	 */
	default void close() {
	}

}
