package io.jproc;

import java.util.Map;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * The environment variables with which the master marks a worker process. A process
 * without {@link #ROLE} is never a worker.
 */
public final class WorkerEnvironment {

	/** {@code worker} in every worker. */
	public static final String ROLE = "JPROC_ROLE";

	/** The worker's id (its slot, from 1). */
	public static final String WORKER_ID = "JPROC_WORKER_ID";

	/**
	 * Variable with the worker process's number: its place in the order of spawns, never
	 * reused while the master runs (a spare is known by it until it takes a slot).
	 */
	public static final String WORKER_NUMBER = "JPROC_WORKER_NUMBER";

	/** The {@link #WORKER_ID} of a spare worker, which has no slot yet. */
	public static final int SPARE_ID = 0;

	/** Inherited fd of the shared application listening socket. */
	public static final String SERVER_FD = "JPROC_SERVER_FD";

	/** Inherited fd of the shared management listening socket, when there is one. */
	public static final String MANAGEMENT_FD = "JPROC_MANAGEMENT_FD";

	/** Inherited fd of the worker's end of its private channel to the master. */
	public static final String CHANNEL_FD = "JPROC_CHANNEL_FD";

	/** Process id of the master. */
	public static final String MASTER_PID = "JPROC_MASTER_PID";

	/**
	 * Variable naming the descriptor of the shared scoreboard
	 * ({@code io.jproc.ipc.Scoreboard}), when the master made one.
	 */
	public static final String SCOREBOARD_FD = "JPROC_SCOREBOARD_FD";

	/**
	 * The class archive the master started the worker with, when it used the boot cache;
	 * the worker reports whether its JVM really mapped it. Not {@code JPROC_BOOT_CACHE}:
	 * Boot binds environment variables to {@code jproc.*} properties, and that name is
	 * {@code jproc.boot-cache}, which is an object, so every worker started from the
	 * cache failed to bind its properties unless some {@code jproc.boot-cache.*} property
	 * was set as well.
	 */
	public static final String BOOT_CACHE = "JPROC_CLASS_ARCHIVE";

	/** {@link #ROLE} of the boot cache's training run. */
	public static final String TRAINING = "training";

	static final String WORKER = "worker";

	private final Function<String, @Nullable String> variables;

	private WorkerEnvironment(Function<String, @Nullable String> variables) {
		this.variables = variables;
	}

	/**
	 * The current process's view.
	 * @return the worker environment of this process
	 */
	public static WorkerEnvironment current() {
		return new WorkerEnvironment(System::getenv);
	}

	/**
	 * A view of the given variables, for tests.
	 * @param variables environment variables
	 * @return the worker environment
	 */
	public static WorkerEnvironment of(Map<String, String> variables) {
		return new WorkerEnvironment(variables::get);
	}

	/**
	 * A view through a lookup, such as a Spring {@code Environment}'s
	 * {@code getProperty}, which sees the process environment and test properties alike.
	 * @param lookup finds a variable by name
	 * @return the worker environment
	 */
	public static WorkerEnvironment of(Function<String, @Nullable String> lookup) {
		return new WorkerEnvironment(lookup);
	}

	/**
	 * Whether this process was started by a jproc master as a worker.
	 * @return {@code true} in a worker
	 */
	public boolean isWorker() {
		return WORKER.equals(this.variables.apply(ROLE));
	}

	/**
	 * Whether this process is the master's boot cache training run.
	 * @return {@code true} in a training run
	 */
	public boolean isTraining() {
		return TRAINING.equals(this.variables.apply(ROLE));
	}

	/**
	 * The class archive the worker was started with.
	 * @return its path, {@code null} if none
	 */
	public @Nullable String bootCache() {
		String value = this.variables.apply(BOOT_CACHE);
		return (value == null || value.isBlank()) ? null : value;
	}

	/**
	 * The worker id.
	 * @return the id, {@code 0} outside a worker
	 */
	public int workerId() {
		return intOf(WORKER_ID, 0);
	}

	/**
	 * The worker process's number, see {@link #WORKER_NUMBER}.
	 * @return the number, {@code 0} if the master did not say
	 */
	public long workerNumber() {
		return intOf(WORKER_NUMBER, 0);
	}

	/**
	 * Whether this worker was started as a spare: booted, but taking no connection until
	 * the master gives it a slot.
	 * @return {@code true} for a spare worker
	 */
	public boolean isSpare() {
		return isWorker() && workerId() == SPARE_ID;
	}

	public int serverFd() {
		return intOf(SERVER_FD, -1);
	}

	public int managementFd() {
		return intOf(MANAGEMENT_FD, -1);
	}

	/**
	 * The descriptor of the shared scoreboard.
	 * @return the descriptor, or -1 without one
	 */
	public int scoreboardFd() {
		return intOf(SCOREBOARD_FD, -1);
	}

	public int channelFd() {
		return intOf(CHANNEL_FD, -1);
	}

	public long masterPid() {
		return intOf(MASTER_PID, -1);
	}

	private int intOf(String name, int fallback) {
		@Nullable String value = this.variables.apply(name);
		if (value == null || value.isBlank()) {
			return fallback;
		}
		try {
			return Integer.parseInt(value.trim());
		}
		catch (NumberFormatException ex) {
			throw new IllegalStateException(
					"jproc: environment variable " + name + " must be a number, was '" + value + "'");
		}
	}

}
