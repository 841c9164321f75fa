package io.jproc.worker;

/**
 * This worker, as the application sees it. Inject it to learn the worker id.
 */
public final class JprocWorker {

	private final int id;

	private final long masterPid;

	private final MasterLink link;

	private final SelfRetirement retirement;

	JprocWorker(int id, long masterPid, MasterLink link, SelfRetirement retirement) {
		this.id = id;
		this.masterPid = masterPid;
		this.link = link;
		this.retirement = retirement;
	}

	/**
	 * This worker's id, from 1; the same as the {@code jproc.worker.id} property.
	 * @return the id
	 */
	public int id() {
		return this.id;
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
		return this.link.isLeaving();
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
