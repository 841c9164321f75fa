package io.jproc.sample.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged sample app started as a real jproc master, for process tests. Output goes
 * to {@code target/it-logs/NAME.log}. {@link #close()} kills the master and every process
 * it started, by pid, whatever state the test left them in.
 */
public final class MasterProcess implements AutoCloseable {

	/** JVM options that make the test JVMs start faster and smaller. */
	public static final List<String> FAST_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
			"-Xss512k");

	private static final Pattern LISTENING = Pattern.compile("listening on [^ ]+:(\\d+) \\(server\\)");

	private final Process process;

	private final Path log;

	private final Set<Long> seenPids = new LinkedHashSet<>();

	private static final Pattern MANAGEMENT = Pattern.compile("listening on [^ ]+:(\\d+) \\(management\\)");

	private int port = -1;

	private final boolean wrapped;

	private long masterPid = -1;

	private MasterProcess(Process process, Path log, boolean wrapped) {
		this.process = process;
		this.log = log;
		this.wrapped = wrapped;
		this.seenPids.add(process.pid());
	}

	/**
	 * Start the sample app's jar with {@code --server.address=127.0.0.1} and an ephemeral
	 * port, plus the given application arguments.
	 * @param name name of the log file
	 * @param args application arguments such as {@code --jproc.workers=2}
	 * @return the started master (not yet ready)
	 * @throws IOException if the JVM cannot be started
	 */
	public static MasterProcess start(String name, String... args) throws IOException {
		return start(name, List.of(), args);
	}

	/**
	 * Start the sample app's jar with extra JVM options.
	 * @param name name of the log file
	 * @param jvmArgs JVM options added after {@link #FAST_JVM}
	 * @param args application arguments
	 * @return the started process
	 * @throws IOException if the JVM cannot be started
	 */
	public static MasterProcess start(String name, List<String> jvmArgs, String... args) throws IOException {
		return startJar(name, jar(), jvmArgs, args);
	}

	/**
	 * Start a given jar (a copy of the sample app's) with extra JVM options.
	 * @param name name of the log file
	 * @param jar the jar to run
	 * @param jvmArgs JVM options added after {@link #FAST_JVM}
	 * @param args application arguments
	 * @return the started process
	 * @throws IOException if the JVM cannot be started
	 */
	public static MasterProcess startJar(String name, Path jar, List<String> jvmArgs, String... args)
			throws IOException {
		return startWrapped(name, List.of(), jar, jvmArgs, args);
	}

	/**
	 * Start the sample app's jar under a wrapper command that runs it as its only child,
	 * such as {@code unshare --pid --fork}: {@link #pid()} is then the wrapper's child
	 * (the master), and {@link #awaitExit} the wrapper's exit, which passes on the
	 * master's.
	 * @param name name of the log file
	 * @param wrapper the wrapper's command line, before the {@code java} command
	 * @param args application arguments
	 * @return the started process
	 * @throws IOException if the wrapper cannot be started
	 */
	public static MasterProcess startWrapped(String name, List<String> wrapper, String... args) throws IOException {
		return startWrapped(name, wrapper, jar(), List.of(), args);
	}

	/**
	 * Start the sample app's jar under a command that execs it, such as {@code sh -c
	 * 'trap "" HUP; exec "$@"' sh}: the started process becomes the master, so
	 * {@link #pid()} is the started process's.
	 * @param name name of the log file
	 * @param exec the command line before the {@code java} command; it must exec it
	 * @param args application arguments
	 * @return the started process
	 * @throws IOException if the command cannot be started
	 */
	public static MasterProcess startExec(String name, List<String> exec, String... args) throws IOException {
		return startWrapped(name, exec, false, jar(), List.of(), args);
	}

	private static MasterProcess startWrapped(String name, List<String> wrapper, Path jar, List<String> jvmArgs,
			String... args) throws IOException {
		return startWrapped(name, wrapper, !wrapper.isEmpty(), jar, jvmArgs, args);
	}

	private static MasterProcess startWrapped(String name, List<String> wrapper, boolean wrapped, Path jar,
			List<String> jvmArgs, String... args) throws IOException {
		List<String> command = new ArrayList<>(wrapper);
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(FAST_JVM);
		command.addAll(jvmArgs);
		command.add("-jar");
		command.add(jar.toString());
		command.add("--server.address=127.0.0.1");
		if (java.util.Arrays.stream(args).noneMatch((arg) -> arg.startsWith("--server.port="))) {
			command.add("--server.port=0");
		}
		if (java.util.Arrays.stream(args).noneMatch((arg) -> arg.startsWith("--jproc.boot-cache."))) {
			// A training run would compete for the 2 cores with the test's workers: only
			// the
			// tests of the boot cache turn it on.
			command.add("--jproc.boot-cache.enabled=false");
		}
		if (java.util.Arrays.stream(args).noneMatch((arg) -> arg.startsWith("--jproc.warmup."))) {
			// Warm-up is on by default and costs each new worker a few seconds on 2
			// cores:
			// only the tests that check it (any --jproc.warmup.* argument, the default
			// value included) keep it, so the suite stays within CI's time.
			command.add("--jproc.warmup.requests=0");
		}
		command.addAll(List.of(args));
		Path logs = Path.of("target", "it-logs");
		Files.createDirectories(logs);
		Path log = logs.resolve(name + ".log");
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.redirectInput(ProcessBuilder.Redirect.PIPE)
			.start();
		return new MasterProcess(process, log, wrapped);
	}

	/**
	 * Start a pool of {@code workers} workers and wait until every one is ready. If they
	 * are not ready in time, every process is killed before the failure is thrown.
	 * @param name name of the log file
	 * @param workers the number of workers
	 * @param args further application arguments
	 * @return the ready pool
	 * @throws IOException if the JVM cannot be started
	 */
	public static MasterProcess startPool(String name, int workers, String... args) throws IOException {
		List<String> all = new ArrayList<>();
		all.add("--jproc.workers=" + workers);
		all.addAll(List.of(args));
		MasterProcess master = start(name, all.toArray(String[]::new));
		try {
			return master.awaitAllReady(workers, Duration.ofSeconds(90));
		}
		catch (RuntimeException | AssertionError ex) {
			master.close();
			throw ex;
		}
	}

	public static Path jar() {
		String jar = System.getProperty("sample.jar", "target/sample-app.jar");
		Path path = Path.of(jar);
		if (!Files.isRegularFile(path)) {
			throw new IllegalStateException(
					"sample app jar not found at " + path.toAbsolutePath() + "; run the tests with 'mvn verify'");
		}
		return path;
	}

	/**
	 * The master's pid: the started process, or the wrapper's child.
	 * @return the pid
	 */
	public long pid() {
		if (!this.wrapped) {
			return this.process.pid();
		}
		if (this.masterPid < 0) {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
			this.masterPid = this.process.children().mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
			while (this.masterPid < 0) {
				if (!this.process.isAlive() || System.nanoTime() > deadline) {
					throw new AssertionError("no master under the wrapper; tail:\n" + tail(30));
				}
				sleep(20);
				this.masterPid = this.process.children().mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
			}
			this.seenPids.add(this.masterPid);
		}
		return this.masterPid;
	}

	public Process process() {
		return this.process;
	}

	/**
	 * The port the master listens on, read from its log.
	 * @return the port
	 */
	public int port() {
		if (this.port < 0) {
			this.port = Integer.parseInt(awaitLog(LISTENING, Duration.ofSeconds(30)).group(1));
		}
		return this.port;
	}

	/**
	 * The management port the master listens on, when {@code management.server.port} is
	 * set.
	 * @return the port
	 */
	public int managementPort() {
		return Integer.parseInt(awaitLog(MANAGEMENT, Duration.ofSeconds(30)).group(1));
	}

	/**
	 * Wait until the master logs that every worker is ready.
	 * @param workers the expected number of workers
	 * @param timeout the bound
	 * @return this
	 */
	public MasterProcess awaitAllReady(int workers, Duration timeout) {
		awaitLog(Pattern.compile("all " + workers + " workers ready"), timeout);
		port();
		return this;
	}

	/**
	 * Wait for a line of the log.
	 * @param pattern what to find
	 * @param timeout the bound
	 * @return the first match
	 * @throws AssertionError if it does not appear in time, with the log's tail
	 */
	public Matcher awaitLog(Pattern pattern, Duration timeout) {
		return awaitLog(pattern, 1, timeout);
	}

	/**
	 * Wait for the n-th match of a pattern in the log.
	 * @param pattern what to find
	 * @param occurrence which match, from 1
	 * @param timeout the bound
	 * @return the match
	 */
	public Matcher awaitLog(Pattern pattern, int occurrence, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		long exitedAt = 0;
		while (true) {
			Matcher matcher = pattern.matcher(log());
			int found = 0;
			while (matcher.find()) {
				if (++found == occurrence) {
					return matcher;
				}
			}
			if (System.nanoTime() > deadline) {
				throw new AssertionError("'" + pattern + "' (#" + occurrence + ") not in the log of " + this.log
						+ " within " + timeout + "; tail:\n" + tail(40));
			}
			// A master that has exited writes no more: fail now, not at the deadline
			// (a second look after a short grace, for what its last workers still wrote).
			if (exitedAt == 0 && !this.process.isAlive()) {
				exitedAt = System.nanoTime();
			}
			else if (exitedAt != 0 && System.nanoTime() - exitedAt > Duration.ofSeconds(2).toNanos()) {
				throw new AssertionError("'" + pattern + "' (#" + occurrence + ") not in the log of " + this.log
						+ ": the master exited with code " + this.process.exitValue() + " before; tail:\n" + tail(40));
			}
			sleep(100);
		}
	}

	/**
	 * Count the matches of a pattern in the log so far.
	 * @param pattern what to count
	 * @return how many
	 */
	public int count(Pattern pattern) {
		Matcher matcher = pattern.matcher(log());
		int found = 0;
		while (matcher.find()) {
			found++;
		}
		return found;
	}

	/**
	 * The whole log so far.
	 * @return the text
	 */
	public String log() {
		try {
			return Files.readString(this.log, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			return "";
		}
	}

	public String tail(int lines) {
		List<String> all = log().lines().toList();
		return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
	}

	/**
	 * The master's live child processes: its workers.
	 * @return their pids
	 */
	public List<Long> workerPids() {
		List<Long> pids = ProcessHandle.of(pid())
			.map((master) -> master.children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList())
			.orElse(List.of());
		this.seenPids.addAll(pids);
		return pids;
	}

	/**
	 * Wait until the master has exactly this many live workers.
	 * @param count the number
	 * @param timeout the bound
	 * @return their pids
	 */
	public List<Long> awaitWorkerCount(int count, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		List<Long> pids = workerPids();
		while (pids.size() != count) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("expected " + count + " workers, have " + pids + "; tail:\n" + tail(30));
			}
			sleep(100);
			pids = workerPids();
		}
		return pids;
	}

	/**
	 * Send a signal to the master.
	 * @param signal the name, such as {@code TERM}
	 */
	public void signal(String signal) {
		Signals.send(pid(), signal);
	}

	/**
	 * Wait for the master to exit.
	 * @param timeout the bound
	 * @return the exit code
	 * @throws AssertionError if it is still running
	 */
	public int awaitExit(Duration timeout) {
		try {
			if (!this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new AssertionError("master still running after " + timeout + "; tail:\n" + tail(30));
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
		return this.process.exitValue();
	}

	/**
	 * Whether any process this test has seen (master or worker) is still alive.
	 * @return the live pids
	 */
	public List<Long> survivors() {
		workerPidsQuietly();
		return this.seenPids.stream()
			.filter((pid) -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
			.toList();
	}

	private void workerPidsQuietly() {
		if (this.process.isAlive()) {
			workerPids();
		}
	}

	/**
	 * End a pool a test class shared: kill every process it started, by pid, and fail if
	 * any is left. Does nothing when the pool never started.
	 * @param master the pool, or {@code null}
	 */
	public static void closeShared(MasterProcess master) {
		if (master != null) {
			master.close();
			if (!master.survivors().isEmpty()) {
				throw new AssertionError("processes left behind: " + master.survivors());
			}
		}
	}

	/**
	 * Kill the master and every process it started, by pid, and wait for them.
	 */
	@Override
	public void close() {
		workerPidsQuietly();
		// The started process's descendants: the master's (or, wrapped, the wrapper's).
		this.process.descendants().forEach((child) -> this.seenPids.add(child.pid()));
		for (long pid : this.seenPids.stream().sorted(Comparator.reverseOrder()).toList()) {
			ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
		}
		for (long pid : this.seenPids) {
			ProcessHandle.of(pid).ifPresent((handle) -> {
				try {
					handle.onExit().get(10, TimeUnit.SECONDS);
				}
				catch (Exception ex) {
					// Reported by the survivors check of the test, if it has one.
				}
			});
		}
	}

	static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

}
