package io.jproc.worker;

/**
 * This worker, as the application sees it. Inject it to learn the worker id.
 */
public final class JprocWorker {

	private final WorkerIdentity identity;

	private final long masterPid;

	private final WorkerDeparture departure;

	private final SelfRetirement retirement;

	JprocWorker(WorkerIdentity identity, long masterPid, WorkerDeparture departure, SelfRetirement retirement) {
		this.identity = identity;
		this.masterPid = masterPid;
		this.departure = departure;
		this.retirement = retirement;
	}

	/**
	 * This worker's id, from 1: the slot it serves; the same as the
	 * {@code jproc.worker.id} property. A spare worker has none ({@code 0}) until the
	 * master gives it a slot; from then on it is that slot's id, see
	 * {@link SlotTakenEvent}.
	 * @return the id, {@code 0} while this worker is a spare
	 */
	public int id() {
		return this.identity.id();
	}

	/**
	 * Whether this worker is a spare: booted and ready, but taking no connection until
	 * the master gives it a slot (a {@link SlotTakenEvent} is published then).
	 * @return {@code true} while a spare without a slot
	 */
	public boolean isSpare() {
		return this.identity.isSpare();
	}

	/**
	 * This worker process's number: its place in the master's order of spawns, never
	 * reused and unchanged when a spare takes a slot. It names a worker in logs for as
	 * long as it is a spare ({@code spare #7}).
	 * @return the number, {@code 0} if the master did not say
	 */
	public long number() {
		return this.identity.number();
	}

	/**
	 * The master's process id.
	 * @return the pid
	 */
	public long masterPid() {
		return this.masterPid;
	}

	/**
	 * Whether this worker is on its way out (draining).
	 * @return {@code true} once it has begun to leave
	 */
	public boolean isLeaving() {
		return this.departure.isLeaving();
	}

	/**
	 * Ask the master to replace this worker, for instance because the application knows
	 * it should start afresh. The worker keeps serving until its replacement is ready (or
	 * {@code jproc.replace-timeout} passes), then stops accepting, finishes its in-flight
	 * requests within {@code jproc.drain-timeout} and exits 0. Planned retirements take
	 * turns ({@code jproc.recycle.max-parallel}) and do not count as failures. Only the
	 * first call has an effect.
	 * @param reason why, shown in the worker's and the master's logs
	 * @return whether this call asked; {@code false} if this worker is already retiring
	 * or leaving
	 */
	public boolean retire(String reason) {
		return this.retirement.retire(reason);
	}

}
