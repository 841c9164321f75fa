package io.jproc.worker;

/**
 * This worker, as the application sees it. Inject it to learn the worker id.
 */
public final class JprocWorker {

	private final int id;

	private final long masterPid;

	private final MasterLink link;

	JprocWorker(int id, long masterPid, MasterLink link) {
		this.id = id;
		this.masterPid = masterPid;
		this.link = link;
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

}
