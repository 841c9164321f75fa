package io.jproc.master.process;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

import jnr.constants.platform.Errno;
import jnr.constants.platform.Fcntl;
import jnr.constants.platform.OpenFlags;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.SaveError;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import jnr.posix.SpawnFileAction;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Starts worker processes with {@code posix_spawnp} so that they inherit chosen file
 * descriptors (the JDK's ProcessBuilder closes every descriptor above 2), and reaps them
 * with {@code waitpid}. Not final only so that a test can record what a launcher asks of
 * it.
 */
public class Spawner {

	private static final Log logger = LogFactory.getLog(Spawner.class);

	/** Duplicates made just for a spawn live at or above this number, clear of 0..9. */
	private static final int HIGH_FD = 64;

	private static final int FD_CLOEXEC = 1;

	/**
	 * {@code close_range}'s number: 436 on every Linux architecture (the calls from 424
	 * on have one number everywhere).
	 */
	private static final long SYS_CLOSE_RANGE = 436;

	/** {@code close_range}'s flag: mark close-on-exec instead of closing (Linux 5.11). */
	private static final long CLOSE_RANGE_CLOEXEC = 4;

	private static final int O_WRONLY = 01;

	private static final int O_CREAT = 0100;

	private static final int O_APPEND = 02000;

	private final POSIX posix = POSIXFactory.getNativePOSIX();

	/** {@code syscall(2)}, {@code null} once close_range was found not to work. */
	private volatile @Nullable LibC closeRange;

	private volatile @Nullable String closeOnExecPath;

	private volatile boolean sweepFailureLogged;

	private final Object lock = new Object();

	private final Map<Long, IntConsumer> exits = new HashMap<>();

	private final Map<Long, Integer> unclaimed = new HashMap<>();

	private final Set<Long> spawned = ConcurrentHashMap.newKeySet();

	private volatile @Nullable Thread reaper;

	public Spawner() {
		this(true);
	}

	/**
	 * A spawner that may be told not to use {@code close_range}, for a test of the sweep.
	 * @param closeRange whether to try {@code close_range(2)} first
	 */
	Spawner(boolean closeRange) {
		this.closeRange = closeRange ? loadLibC() : null;
	}

	private volatile @Nullable Consumer<Throwable> onFatal;

	/**
	 * Spawn a process.
	 * @param argv the command and its arguments
	 * @param environment the complete environment
	 * @param inherited map from the child's fd number to the master's fd to place there
	 * @return the pid
	 * @throws IOException if the spawn fails
	 */
	public long spawn(List<String> argv, Map<String, String> environment, Map<Integer, Integer> inherited)
			throws IOException {
		return spawn(argv, environment, inherited, null);
	}

	/**
	 * Spawn a process whose standard output and error go to a file.
	 * @param argv the command and its arguments
	 * @param environment the complete environment
	 * @param inherited map from the child's fd number to the master's fd to place there
	 * @param output the file that receives stdout and stderr (appended, created if
	 * missing with mode 0600, never opened through a symbolic link), {@code null} for the
	 * master's own
	 * @return the pid
	 * @throws IOException if the spawn fails
	 */
	public long spawn(List<String> argv, Map<String, String> environment, Map<Integer, Integer> inherited,
			@Nullable Path output) throws IOException {
		List<String> envp = new ArrayList<>(environment.size());
		environment.forEach((key, value) -> envp.add(key + "=" + value));
		synchronized (this.lock) {
			markAllCloseOnExec();
			List<Integer> temporaries = new ArrayList<>();
			try {
				List<SpawnFileAction> actions = new ArrayList<>();
				// dup2 into 3, 4, 5 could overwrite a source that happens to be 3, 4 or
				// 5:
				// move every source clear of them first.
				for (Map.Entry<Integer, Integer> entry : inherited.entrySet()) {
					int high = this.posix.fcntlInt(entry.getValue(), Fcntl.F_DUPFD, HIGH_FD);
					if (high < 0) {
						throw new IOException("dup of fd " + entry.getValue() + " failed: errno " + this.posix.errno());
					}
					this.posix.fcntlInt(high, Fcntl.F_SETFD, FD_CLOEXEC);
					temporaries.add(high);
					actions.add(SpawnFileAction.dup(high, entry.getKey()));
				}
				if (output != null) {
					// Never through a symbolic link, and readable by this user only: the
					// file is in a boot cache directory (training.log).
					actions.add(SpawnFileAction.open(output.toString(), 1,
							O_WRONLY | O_CREAT | O_APPEND | OpenFlags.O_NOFOLLOW.intValue(), 0600));
					actions.add(SpawnFileAction.dup(1, 2));
				}
				long pid;
				synchronized (this.exits) {
					// Ours before the reaper can look: a process that ends at once is
					// reaped before posix_spawnp returns here, and would be dropped.
					pid = this.posix.posix_spawnp(argv.get(0), actions, argv, envp);
					if (pid > 0) {
						this.spawned.add(pid);
					}
				}
				if (pid <= 0) {
					throw new IOException("posix_spawnp of " + argv.get(0) + " failed: errno " + this.posix.errno());
				}
				return pid;
			}
			finally {
				temporaries.forEach(this.posix::close);
			}
		}
	}

	/**
	 * Report the end of a spawned process. One reaper thread waits for any child, so that
	 * a master running as PID 1 in a container also reaps orphans that the kernel hands
	 * to it, instead of leaving zombies.
	 * @param pid the process
	 * @param onExit receives the raw wait status, {@code -1} if unknown
	 */
	public void watch(long pid, IntConsumer onExit) {
		synchronized (this.exits) {
			Integer status = this.unclaimed.remove(pid);
			if (status != null) {
				onExit.accept(status);
				return;
			}
			this.exits.put(pid, onExit);
			if (this.reaper == null || !this.reaper.isAlive()) {
				// The first watch, or the first after the reaper failed (the master ends
				// then; a test goes on).
				this.reaper = new Thread(this::reap, "jproc-reaper");
				this.reaper.setDaemon(true);
				// Whatever escapes the reaper's own guard.
				this.reaper.setUncaughtExceptionHandler((thread, ex) -> reaperFailed(ex));
				this.reaper.start();
			}
		}
	}

	/**
	 * What to do when the reaper cannot go on ({@link FatalErrors}): without it nobody
	 * sees a worker end, so the master must end too.
	 * @param handler receives what the reaper threw; called at most once, on the reaper
	 * thread, which then ends
	 */
	public void onFatal(Consumer<Throwable> handler) {
		this.onFatal = handler;
	}

	/**
	 * Whether the reaper thread runs.
	 * @return {@code true} once a process was watched, until the reaper failed fatally
	 */
	boolean reaping() {
		Thread thread = this.reaper;
		return thread != null && thread.isAlive();
	}

	private void reap() {
		int[] status = new int[1];
		while (true) {
			try {
				reapOne(status);
			}
			catch (Throwable ex) {
				if (FatalErrors.isFatal(ex)) {
					reaperFailed(ex);
					return;
				}
				// A callback that failed, or a failed wait: the reaper goes on.
				logger.error("jproc reaper: unexpected error, continuing", ex);
			}
		}
	}

	private void reapOne(int[] status) {
		int pid = this.posix.waitpid(-1, status, 0);
		if (pid > 0) {
			IntConsumer onExit;
			synchronized (this.exits) {
				onExit = this.exits.remove((long) pid);
				boolean ours = this.spawned.remove((long) pid);
				if (onExit == null && ours) {
					// Ended before watch() was called for it.
					this.unclaimed.put((long) pid, status[0]);
				}
			}
			if (onExit != null) {
				try {
					onExit.accept(status[0]);
				}
				catch (Throwable ex) {
					if (FatalErrors.isFatal(ex)) {
						throw ex;
					}
					logger.error("jproc reaper: the exit of pid " + pid + " (" + decode(status[0])
							+ ") could not be reported, and is lost; the reaper goes on", ex);
				}
			}
		}
		else if (this.posix.errno() != Errno.EINTR.intValue()) {
			// No child at all (ECHILD): nothing to wait for until the next spawn.
			sleepQuietly(50);
		}
	}

	private void reaperFailed(Throwable ex) {
		Consumer<Throwable> handler = this.onFatal;
		try {
			if (handler != null) {
				handler.accept(ex);
			}
			else {
				logger.error("jproc reaper: cannot go on; no process is reaped any more", ex);
			}
		}
		catch (Throwable ignored) {
			// Nothing more can be done on this thread.
		}
	}

	private static void sleepQuietly(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Send a signal.
	 * @param pid the process
	 * @param signal the signal number
	 * @return whether it was delivered
	 */
	/**
	 * Set one thread's nice value.
	 * @param tid the thread (task) id
	 * @param nice the nice value
	 * @return {@code 0} on success, else the errno
	 */
	public int setPriority(int tid, int nice) {
		return (this.posix.setpriority(0, tid, nice) == 0) ? 0 : Math.max(1, this.posix.errno());
	}

	public boolean kill(long pid, int signal) {
		return this.posix.kill(pid, signal) == 0;
	}

	/**
	 * Close a descriptor of the master without touching the open socket behind it.
	 * @param fd the descriptor
	 */
	public void close(int fd) {
		this.posix.close(fd);
	}

	/**
	 * Mark every descriptor of this process above 2 close-on-exec. The JDK opens jar
	 * files without it, and a worker that inherited another worker's channel would keep
	 * it open after the master died, hiding the end of stream that tells it to leave.
	 * <p>
	 * With {@code close_range(3, ~0U, CLOSE_RANGE_CLOEXEC)} where the kernel has it
	 * (Linux 5.11 and later): one system call, nothing to list. Elsewhere, or when it
	 * fails, the sweep of {@code /proc/self/fd}, one {@code fcntl} per descriptor. Which
	 * one is used is logged once at debug; a sweep that cannot list the descriptors is a
	 * warning, never silence.
	 */
	public void markAllCloseOnExec() {
		if (this.closeRange != null) {
			try {
				long result = this.closeRange.syscall(SYS_CLOSE_RANGE, 3, 0xFFFF_FFFFL, CLOSE_RANGE_CLOEXEC);
				if (result == 0) {
					closeOnExecPath("close_range", "close_range(2)");
					return;
				}
				closeOnExecPath("sweep", "a sweep of /proc/self/fd (close_range(2) failed with errno "
						+ LastError.getLastError(jnr.ffi.Runtime.getSystemRuntime()) + ")");
			}
			catch (RuntimeException | LinkageError ex) {
				closeOnExecPath("sweep", "a sweep of /proc/self/fd (close_range(2) is not available: " + ex + ")");
			}
			this.closeRange = null;
		}
		else {
			closeOnExecPath("sweep", "a sweep of /proc/self/fd");
		}
		sweepCloseOnExec();
	}

	/**
	 * Let a descriptor of this process be inherited across {@code execve}: clear its
	 * {@code FD_CLOEXEC}.
	 * @param fd the descriptor
	 * @return whether it worked
	 */
	public boolean keepOnExec(int fd) {
		return this.posix.fcntlInt(fd, Fcntl.F_SETFD, 0) == 0;
	}

	private void sweepCloseOnExec() {
		Set<Integer> seen = new HashSet<>();
		try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
			for (Path entry : fds) {
				seen.add(Integer.parseInt(entry.getFileName().toString()));
			}
		}
		catch (IOException | NumberFormatException ex) {
			if (!this.sweepFailureLogged) {
				this.sweepFailureLogged = true;
				logger.warn("jproc: could not list /proc/self/fd to mark the master's descriptors close-on-exec (" + ex
						+ "): a worker may inherit descriptors of the master, such as other workers' channels, "
						+ "and then miss the end of its own when the master dies");
			}
			return;
		}
		for (int fd : seen) {
			if (fd > 2) {
				this.posix.fcntlInt(fd, Fcntl.F_SETFD, FD_CLOEXEC);
			}
		}
	}

	private void closeOnExecPath(String path, String how) {
		if (!path.equals(this.closeOnExecPath)) {
			this.closeOnExecPath = path;
			logger.debug("jproc: the master's descriptors are marked close-on-exec before each spawn with " + how);
		}
	}

	/**
	 * How the descriptors were last marked close-on-exec.
	 * @return {@code close_range} or {@code sweep}, {@code null} before the first spawn
	 */
	@Nullable String closeOnExecPath() {
		return this.closeOnExecPath;
	}

	private static @Nullable LibC loadLibC() {
		try {
			return LibraryLoader.create(LibC.class).load("c");
		}
		catch (RuntimeException | LinkageError ex) {
			return null;
		}
	}

	/**
	 * Decode a wait status.
	 * @param status the raw status from waitpid, or -1 when unknown
	 * @return the exit, either a code or a signal
	 */
	public static Exit decode(int status) {
		if (status < 0) {
			return new Exit(-1, 0);
		}
		int signal = status & 0x7f;
		return (signal == 0) ? new Exit((status >> 8) & 0xff, 0) : new Exit(-1, signal);
	}

	/** The C library's {@code syscall(2)}, for {@code close_range}. */
	public interface LibC {

		/**
		 * Make a system call with three arguments.
		 * @param number the call's number
		 * @param first the first argument
		 * @param second the second argument
		 * @param third the third argument
		 * @return its result, {@code -1} with errno set on failure
		 */
		@SaveError
		long syscall(long number, long first, long second, long third);

	}

}
