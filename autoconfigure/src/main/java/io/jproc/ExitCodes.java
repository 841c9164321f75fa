package io.jproc;

/**
 * Exit codes of jproc's processes. Scripts and supervisors (systemd, Kubernetes) can rely
 * on them.
 */
public final class ExitCodes {

	/** Master or worker: stopped as asked, after draining. */
	public static final int OK = 0;

	/**
	 * Master: could not start (invalid {@code jproc.*} value, port in use); no worker was
	 * started. Same code as any Spring Boot start-up failure.
	 */
	public static final int STARTUP_FAILED = 1;

	/** Worker: the application failed to start. The master does not retry forever. */
	public static final int WORKER_BOOT_FAILED = 3;

	/** Master: every worker slot was given up after too many failures. */
	public static final int GAVE_UP = 4;

	/**
	 * Worker: its master is gone; it drained and left so that no orphan keeps the port.
	 */
	public static final int MASTER_GONE = 5;

	/**
	 * Master: its loop or its reaper hit an error it cannot survive (an
	 * {@link OutOfMemoryError}, say, or a loop whose tick failed every time for a while)
	 * and it ended on purpose, after logging why. Its workers drain and exit
	 * {@link #MASTER_GONE} by themselves.
	 */
	public static final int MASTER_FAILED = 6;

	/** Master: a second SIGINT ended everything at once. */
	public static final int INTERRUPTED = 130;

	private ExitCodes() {
	}

}
