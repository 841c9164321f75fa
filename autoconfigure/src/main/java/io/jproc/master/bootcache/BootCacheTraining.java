package io.jproc.master.bootcache;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.jproc.master.process.CpuPriority;
import io.jproc.master.process.Durations;
import io.jproc.master.process.PosixSignal;
import io.jproc.master.process.Spawner;
import io.jproc.master.process.WorkerCommand;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * One background preparation of a boot cache directory: take the directory's lock (other
 * masters sharing the cache root wait for it, or use what the holder made), extract the
 * jar with Boot's {@code -Djarmode=tools extract}, run the application once with the
 * archive option, then publish the directory by an atomic rename of its marker file and
 * clean old caches up. A preparation that does not finish deletes what it wrote: all of
 * it when the master stops it (an application stopped before its cache was ready leaves
 * nothing behind), all but {@code training.log} when it fails. Both child processes run
 * at the lowest CPU priority, inherit no socket of the master (only stdin; their output
 * goes to {@code training.log}), and listen on an ephemeral loopback port only. A helper
 * that is stopped is asked to stop (SIGTERM) and killed only after {@link #STOP_GRACE}.
 */
public final class BootCacheTraining {

	private static final Log logger = LogFactory.getLog(BootCacheTraining.class);

	private static final Duration STEP_TIMEOUT = Duration.ofMinutes(10);

	private static final Duration LOCK_TIMEOUT = Duration.ofMinutes(15);

	/** How long a helper process asked to stop (SIGTERM) has before it is killed. */
	static final Duration STOP_GRACE = Duration.ofSeconds(3);

	private static final Duration DISCARD_TIMEOUT = STOP_GRACE.plusSeconds(2);

	private static final String TRAINING_LOG = BootCacheStore.TRAINING_LOG;

	private final BootCache cache;

	private final Runner runner;

	private final BootCache.Kind kind;

	private final Path root;

	private final Path dir;

	private final Path jar;

	private final List<String> plainArgv;

	private final List<String> trainingArgs;

	private final Map<String, String> environment;

	private final Map<String, String> trainingEnvironment;

	private volatile long pid = -1;

	private volatile boolean stopped;

	private @Nullable Thread thread;

	BootCacheTraining(BootCache cache, Runner runner, BootCache.Kind kind, Path root, Path dir, Path jar,
			List<String> plainArgv, List<String> trainingArgs, Map<String, String> environment,
			Map<String, String> trainingEnvironment) {
		this.cache = cache;
		this.runner = runner;
		this.kind = kind;
		this.root = root;
		this.dir = dir;
		this.jar = jar;
		this.plainArgv = plainArgv;
		this.trainingArgs = trainingArgs;
		this.environment = environment;
		this.trainingEnvironment = trainingEnvironment;
	}

	void start() {
		Thread thread = new Thread(this::run, "jproc-boot-cache");
		thread.setDaemon(true);
		this.thread = thread;
		thread.start();
	}

	/**
	 * Stop the preparation: ask its helper process to stop (SIGTERM; its thread kills it
	 * after {@link #STOP_GRACE}) and wake its thread, which then deletes the unfinished
	 * directory. Does not wait: see {@link #awaitEnd()}.
	 */
	void stop() {
		this.stopped = true;
		long pid = this.pid;
		if (pid > 0) {
			this.runner.terminate(pid);
		}
		Thread thread = this.thread;
		if (thread != null) {
			thread.interrupt();
		}
	}

	/**
	 * Wait, at most {@link #DISCARD_TIMEOUT}, for the preparation's thread to end: the
	 * master is about to exit, and the thread, a daemon, would not delete what a stopped
	 * preparation left.
	 */
	void awaitEnd() {
		Thread thread = this.thread;
		if (thread != null && thread != Thread.currentThread()) {
			try {
				thread.join(DISCARD_TIMEOUT.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	private void run() {
		try (CacheLock lock = awaitLock(BootCacheStore.lockFile(this.root, this.dir))) {
			if (lock != null) {
				boolean published = false;
				try {
					published = prepare(lock);
				}
				finally {
					if (!published) {
						discard(lock);
					}
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (IOException | RuntimeException ex) {
			if (!this.stopped) {
				this.cache.failed(this.dir, "preparing " + this.dir + " failed: " + ex);
			}
		}
	}

	private @Nullable CacheLock awaitLock(Path lockFile) throws IOException, InterruptedException {
		long deadline = System.nanoTime() + LOCK_TIMEOUT.toNanos();
		while (!this.stopped) {
			CacheLock lock = CacheLock.tryAcquire(lockFile);
			if (lock != null) {
				return lock;
			}
			if (BootCacheStore.isPublished(this.dir) && BootCacheStore.recordsDigests(this.dir)) {
				// Published by another master: check it and use it.
				this.cache.ready(this.dir, null, null);
				return null;
			}
			if (System.nanoTime() > deadline) {
				this.cache.failed(this.dir,
						"another process held " + lockFile + " for " + LOCK_TIMEOUT.toMinutes() + " minutes");
				return null;
			}
			this.cache.training(this.dir, "another jproc master is preparing it");
			Thread.sleep(2000);
		}
		return null;
	}

	/**
	 * Delete what an unfinished preparation left, while its lock is held: everything,
	 * lock file included, when the master stopped it; everything but {@code training.log}
	 * when it failed (the failure names that log; the directory itself goes with the
	 * clean-up of abandoned ones).
	 * @param lock the directory's lock
	 */
	private void discard(CacheLock lock) {
		try {
			if (this.stopped) {
				BootCacheStore.deleteTree(this.dir);
				lock.deleteFile();
				return;
			}
			if (Files.isDirectory(this.dir)) {
				try (DirectoryStream<Path> entries = Files.newDirectoryStream(this.dir)) {
					for (Path entry : entries) {
						if (!entry.getFileName().toString().equals(TRAINING_LOG)) {
							BootCacheStore.deleteTree(entry);
						}
					}
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			logger.debug("jproc boot cache: could not delete the unfinished " + this.dir
					+ " (the clean-up of abandoned caches will): " + ex);
		}
	}

	/**
	 * Prepare the directory, unless it is ready already.
	 * @param lock the directory's lock, held exclusively
	 * @return whether it is published (ready)
	 * @throws IOException if a file operation fails
	 * @throws InterruptedException if the thread is interrupted
	 */
	private boolean prepare(CacheLock lock) throws IOException, InterruptedException {
		if (BootCacheStore.isPublished(this.dir)) {
			if (BootCacheStore.recordsDigests(this.dir)) {
				CacheFiles.Manifest manifest;
				try {
					manifest = BootCacheStore.verify(this.dir);
				}
				catch (IOException ex) {
					this.cache.failed(this.dir, "the cache at " + this.dir + " is refused: " + ex.getMessage());
					return true;
				}
				this.cache.ready(this.dir, manifest, lock.toUse());
				return true;
			}
			if (!lock.tryRemoval()) {
				this.cache.failed(this.dir, "the cache at " + this.dir
						+ " was published by an older version without digests, and is in use: not prepared again");
				return true;
			}
			logger.info("jproc boot cache: " + this.dir + " was published by an older version without digests; "
					+ "preparing it again");
		}
		long started = System.nanoTime();
		BootCacheStore.deleteTree(this.dir);
		CacheFiles.createPrivateDirectory(this.dir);
		Path log = this.dir.resolve(TRAINING_LOG);
		CacheFiles.createPrivateFile(log);
		Path app = this.dir.resolve("app");
		this.cache.training(this.dir, "extracting the jar");
		List<String> extract = new ArrayList<>(CpuPriority.niced(19));
		extract.addAll(List.of(this.plainArgv.get(0), "-Djarmode=tools", "-jar", this.jar.toString(), "extract",
				"--destination", app.toString()));
		if (!step("extracting the jar", extract, this.environment, log)) {
			return false;
		}
		Path extracted = app.resolve(this.jar.getFileName());
		if (!CacheFiles.isRegularFile(extracted)) {
			this.cache.failed(this.dir, "the extracted layout has no " + extracted + " (not a Spring Boot jar?)");
			return false;
		}
		Path archive = this.dir.resolve(this.kind.fileName());
		this.cache.training(this.dir, "training the " + this.kind.name().toLowerCase(Locale.ROOT) + " archive");
		List<String> train = new ArrayList<>(CpuPriority.niced(19));
		train.addAll(withOverrides(
				WorkerCommand.withJar(this.plainArgv, extracted.toString(), List.of(trainingOption(archive))),
				this.trainingArgs));
		if (!step("training", train, this.trainingEnvironment, log)) {
			return false;
		}
		if (!CacheFiles.isRegularFile(archive) || Files.size(archive) == 0) {
			this.cache.failed(this.dir, "training wrote no archive; see " + log);
			return false;
		}
		CacheFiles.Manifest manifest = BootCacheStore.publish(this.dir,
				"kind=" + this.kind + "\narchive=" + archive + "\n");
		this.cache.ready(this.dir, manifest, lock.toUse());
		logger.info("jproc boot cache: ready at " + this.dir + " (" + this.kind.name().toLowerCase(Locale.ROOT) + ", "
				+ Files.size(archive) / (1024 * 1024) + " MB, prepared in "
				+ Durations.seconds(Duration.ofNanos(System.nanoTime() - started)) + "); later workers start from it");
		BootCacheStore.cleanUp(this.root, this.dir);
		return true;
	}

	/**
	 * End a helper process: ask it to stop (SIGTERM), then kill it when it has not ended
	 * after {@link #STOP_GRACE}.
	 * @param pid the process
	 * @param exit its end
	 */
	private void end(long pid, CompletableFuture<Integer> exit) {
		this.runner.terminate(pid);
		try {
			exit.get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
			return;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException ex) {
			// Killed below.
		}
		this.runner.kill(pid);
	}

	/**
	 * A command line with application arguments replaced: Spring Boot joins a repeated
	 * {@code --key=value} into a list ({@code server.port=8080,0}) instead of taking the
	 * last.
	 * @param argv the command line
	 * @param overrides the {@code --key=value} application arguments to set
	 * @return the command line without the application arguments of the same keys, with
	 * the overrides at the end
	 */
	static List<String> withOverrides(List<String> argv, List<String> overrides) {
		List<String> keys = overrides.stream().map(BootCacheTraining::keyOf).toList();
		int applicationArgs = WorkerCommand.endOfJvmOptions(argv.subList(1, argv.size())) + 3;
		List<String> result = new ArrayList<>(argv.subList(0, Math.min(applicationArgs, argv.size())));
		for (String argument : argv.subList(Math.min(applicationArgs, argv.size()), argv.size())) {
			if (!keys.contains(keyOf(argument))) {
				result.add(argument);
			}
		}
		result.addAll(overrides);
		return result;
	}

	private static String keyOf(String argument) {
		int equals = argument.indexOf('=');
		return (equals >= 0) ? argument.substring(0, equals) : argument;
	}

	private String trainingOption(Path archive) {
		return ((this.kind == BootCache.Kind.AOT) ? "-XX:AOTCacheOutput=" : "-XX:ArchiveClassesAtExit=") + archive;
	}

	/**
	 * Run one helper process to its end; report a failure unless the master stops it.
	 * @param what what the process does, for the failure reason
	 * @param argv the command line
	 * @param environment its complete environment
	 * @param log file for its output
	 * @return whether it ended with exit code 0 and the master did not stop it
	 * @throws IOException if it cannot be started or waiting for it fails
	 * @throws InterruptedException if the thread is interrupted while waiting
	 */
	private boolean step(String what, List<String> argv, Map<String, String> environment, Path log)
			throws IOException, InterruptedException {
		if (this.stopped) {
			return false;
		}
		long pid = this.runner.start(argv, environment, log);
		this.pid = pid;
		CompletableFuture<Integer> exit = this.runner.exit(pid);
		try {
			int code = exit.get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			if (code != 0 && !this.stopped) {
				this.cache.failed(this.dir, what + " ended with exit code " + code + "; see " + log);
			}
			return code == 0 && !this.stopped;
		}
		catch (TimeoutException ex) {
			end(pid, exit);
			this.cache.failed(this.dir,
					what + " took longer than " + STEP_TIMEOUT.toMinutes() + " minutes; see " + log);
			return false;
		}
		catch (ExecutionException ex) {
			throw new IOException(ex.getCause());
		}
		catch (InterruptedException ex) {
			// Stopped: the process was asked to stop (SIGTERM) and has a grace.
			end(pid, exit);
			throw ex;
		}
		finally {
			this.pid = -1;
		}
	}

	/** Starts, waits for and kills the helper processes. */
	public interface Runner {

		/**
		 * Start a process that inherits no descriptor but stdio.
		 * @param argv the command line
		 * @param environment its complete environment
		 * @param output file for stdout and stderr
		 * @return the pid
		 * @throws IOException if it cannot be started
		 */
		long start(List<String> argv, Map<String, String> environment, Path output) throws IOException;

		/**
		 * The process's end.
		 * @param pid the process
		 * @return completes with its exit code, {@code -1} when a signal ended it
		 */
		CompletableFuture<Integer> exit(long pid);

		/**
		 * Kill the process (SIGKILL).
		 * @param pid the process
		 */
		void kill(long pid);

		/**
		 * Ask the process to stop (SIGTERM).
		 * @param pid the process
		 */
		default void terminate(long pid) {
			kill(pid);
		}

		/**
		 * A runner that spawns through the master's spawner, whose reaper waits for every
		 * child of the master.
		 * @param spawner the spawner
		 * @return the runner
		 */
		static Runner of(Spawner spawner) {
			return new Runner() {

				@Override
				public long start(List<String> argv, Map<String, String> environment, Path output) throws IOException {
					return spawner.spawn(argv, environment, Map.of(), output);
				}

				@Override
				public CompletableFuture<Integer> exit(long pid) {
					CompletableFuture<Integer> exit = new CompletableFuture<>();
					spawner.watch(pid, (status) -> exit.complete(Spawner.decode(status).code()));
					return exit;
				}

				@Override
				public void kill(long pid) {
					spawner.kill(pid, PosixSignal.KILL.number());
				}

				@Override
				public void terminate(long pid) {
					spawner.kill(pid, PosixSignal.TERM.number());
				}

			};
		}

	}

}
