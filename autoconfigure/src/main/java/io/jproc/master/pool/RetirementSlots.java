package io.jproc.master.pool;

import java.time.Instant;

import io.jproc.master.process.PosixSignal;
import io.jproc.master.process.WorkerHandle;
import org.jspecify.annotations.Nullable;

/**
 * What retirements need from the pool. None of it starts a worker.
 */
public interface RetirementSlots {

	/**
	 * The worker left its slot at once (urgent or hung): the slot wants a new worker, and
	 * the departure counts toward the slot's restart-storm limit.
	 * @param leaving the worker
	 * @param why the reason
	 * @param now the time
	 * @return the slot's incoming worker if one is already on its way
	 */
	@Nullable WorkerHandle replaceNow(WorkerHandle leaving, Replacement why, Instant now);

	/**
	 * The worker keeps serving until its slot has a new worker ready (planned).
	 * @param retiring the worker
	 * @return the slot's incoming worker if one is already on its way
	 */
	@Nullable WorkerHandle replaceLater(WorkerHandle retiring);

	/**
	 * The worker leaves its slot now (its replacement is ready, or the wait ran out).
	 * @param worker the worker
	 */
	void leave(WorkerHandle worker);

	/**
	 * Whether no replacement will come for the worker: its slot was given up or removed.
	 * @param worker the worker
	 * @return {@code true} if none will come
	 */
	boolean noneComing(WorkerHandle worker);

	/**
	 * Send a signal to a worker process.
	 * @param pid the process
	 * @param signal the signal
	 */
	void signal(long pid, PosixSignal signal);

}
