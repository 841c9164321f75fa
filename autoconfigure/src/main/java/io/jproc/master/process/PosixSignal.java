package io.jproc.master.process;

/**
 * The signals the master sends to workers, with their Linux numbers, and the one home of
 * the waits that go with them.
 */
public enum PosixSignal {

	/** Ask the JVM for a thread dump. */
	QUIT(3),

	/** End the process now; it cannot be caught. */
	KILL(9),

	/** Ask the process to end; Boot runs its graceful shutdown. */
	TERM(15),

	/** Resume a stopped process, so a pending QUIT is delivered. */
	CONT(18);

	/**
	 * After SIGTERM (a hung worker) or at the shutdown deadline, before SIGKILL or giving
	 * up.
	 */
	public static final java.time.Duration KILL_GRACE = java.time.Duration.ofSeconds(5);

	/** Between SIGQUIT and SIGTERM: time for the JVM to write its thread dump. */
	public static final java.time.Duration DUMP_WAIT = java.time.Duration.ofSeconds(1);

	private final int number;

	PosixSignal(int number) {
		this.number = number;
	}

	public int number() {
		return this.number;
	}

}
