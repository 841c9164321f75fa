package io.jproc.master.bootcache;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import io.jproc.JprocProperties;
import io.jproc.ipc.PoolStatus;
import io.jproc.master.process.Durations;
import io.jproc.master.process.WorkerCommand;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The boot cache: Boot's extracted layout of the application jar plus a class archive (an
 * AOT cache on JDK 25 and later, a dynamic AppCDS archive before), prepared once per jar
 * content, JVM build and worker JVM options, so that later workers boot faster and share
 * the archive's pages. The first workers start from the jar at once; the archive is
 * trained in the background once the pool is ready ({@link BootCacheTraining}). A cache
 * that is missing or cannot be used never fails a worker: it starts from the jar, or the
 * JVM falls back to a plain boot by itself.
 * <p>
 * Used on the arbiter thread, except the state that the training thread moves on.
 */
public final class BootCache {

	private static final Log logger = LogFactory.getLog(BootCache.class);

	/** Options that mean the user already chose what the JVM does with class archives. */
	private static final List<String> ARCHIVE_OPTIONS = List.of("-Xshare:off", "-XX:SharedArchiveFile",
			"-XX:ArchiveClassesAtExit", "-XX:AOTCache", "-XX:AOTMode", "-XX:AOTConfiguration", "-XX:AOTCacheOutput",
			"-XX:-AutoCreateSharedArchive", "-XX:+AutoCreateSharedArchive");

	private final List<String> plainArgv;

	private final Kind kind;

	private final @Nullable Path root;

	private final @Nullable Path jar;

	private final BootCacheTraining.Runner runner;

	private final Helpers helpers;

	private volatile State state;

	private volatile @Nullable String reason;

	private @Nullable JarStamp stamp;

	private volatile @Nullable Path dir;

	/** The digests of the cache in use, checked; {@code null} unless ready. */
	private volatile CacheFiles.@Nullable Manifest verified;

	/** The shared lock that keeps other masters' clean-ups off the cache in use. */
	private @Nullable CacheLock inUse;

	private @Nullable BootCacheTraining training;

	/** The cache for which old caches were last cleaned up without a training run. */
	private @Nullable Path cleanedFor;

	private BootCache(List<String> plainArgv, Kind kind, @Nullable Path root, @Nullable Path jar, State state,
			@Nullable String reason, Helpers helpers) {
		this.helpers = helpers;
		this.plainArgv = plainArgv;
		this.kind = kind;
		this.root = root;
		this.jar = jar;
		this.state = state;
		this.reason = reason;
		this.runner = helpers.runner();
	}

	/**
	 * Decide whether this master can have a boot cache and find one already prepared.
	 * @param properties {@code jproc.boot-cache.*}
	 * @param argv the workers' plain command line
	 * @param helpers how the extraction and training processes run
	 * @return the cache, possibly {@link State#OFF} or {@link State#FAILED} with a reason
	 */
	public static BootCache create(JprocProperties.BootCache properties, List<String> argv, Helpers helpers) {
		Kind kind = Kind.forRuntime(Runtime.version().feature());
		if (!properties.isEnabled()) {
			return new BootCache(argv, kind, null, null, State.OFF, "jproc.boot-cache.enabled=false", helpers);
		}
		String jarArgument = WorkerCommand.jar(argv);
		if (jarArgument == null) {
			return new BootCache(argv, kind, null, null, State.OFF, "the application was not started with java -jar",
					helpers);
		}
		for (String option : WorkerCommand.jvmOptions(argv)) {
			if (ARCHIVE_OPTIONS.stream().anyMatch(option::startsWith)) {
				return new BootCache(argv, kind, null, null, State.OFF,
						"the JVM options already choose the class archive (" + option + ")", helpers);
			}
		}
		Path root = directory(properties);
		String untrusted;
		try {
			untrusted = CacheFiles.trustRoot(root);
			if (untrusted == null) {
				Files.deleteIfExists(Files.createTempFile(root, ".probe", ""));
			}
		}
		catch (IOException | RuntimeException ex) {
			String why = "the directory " + root + " cannot be written (" + ex + ")";
			logger.warn("jproc boot cache: " + why + "; workers start without a boot cache. Set jproc.boot-cache.dir "
					+ "to a writable directory, or jproc.boot-cache.enabled=false to silence this.");
			return new BootCache(argv, kind, root, null, State.FAILED, why, helpers);
		}
		if (untrusted != null) {
			String why = "the directory " + root + " is refused: " + untrusted;
			logger.warn("jproc boot cache: " + why + "; workers start without a boot cache (another user could "
					+ "plant code in it). Set jproc.boot-cache.dir to a directory that only this user owns and can "
					+ "write, without symbolic links, or jproc.boot-cache.enabled=false to silence this.");
			return new BootCache(argv, kind, root, null, State.FAILED, why, helpers);
		}
		BootCache cache = new BootCache(argv, kind, root, Path.of(jarArgument).toAbsolutePath(), State.TRAINING,
				"waiting for the pool to be ready", helpers);
		cache.keyToJar();
		return cache;
	}

	/**
	 * The options that let workers share the archive's pages: map it at the address it
	 * was dumped for instead of relocating it, which the JVM does by default since the
	 * default became 1 (measured on 2 workers: Pss 0.76x of a plain worker instead of
	 * 0.88x on JDK 25, 0.75x against 0.77x on 17). Mode 0 still relocates when that
	 * address is taken, so it never costs the archive. The user's own choice wins.
	 * @param jvmOptions the options the workers have already
	 * @return the options to add, maybe none
	 */
	public static List<String> sharingOptions(List<String> jvmOptions) {
		if (jvmOptions.stream()
			.anyMatch((option) -> option.startsWith("-XX:ArchiveRelocationMode")
					|| option.equals("-XX:-UnlockDiagnosticVMOptions"))) {
			return List.of();
		}
		return List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0");
	}

	/**
	 * On JDK 25 and later, the options that keep the AOT cache's class loading and
	 * linking but not the method profiles its training run recorded (JEP 515): the JIT of
	 * a worker started from the cache then compiles from the profiles of its own traffic,
	 * not from those of the training run's few hundred requests, which it otherwise keeps
	 * for good. Measured on Temurin 25 ({@code bench/steady.sh}, 2 workers against a
	 * single JVM, fresh pairs after 180 s of load): with the replay 0.70x to 1.02x,
	 * median 0.80x over 5 pairs; without a cache 1.03x and 0.92x; see
	 * {@code bench/results/2026-12-06-stop28.md}. The user's own choice wins.
	 * @param runtimeFeature the Java release of the workers, such as 17 or 25
	 * @param jvmOptions the options the workers have already
	 * @return the options to add, maybe none
	 */
	public static List<String> profileOptions(int runtimeFeature, List<String> jvmOptions) {
		if (runtimeFeature < 25 || jvmOptions.stream()
			.anyMatch((option) -> option.endsWith("AOTReplayTraining")
					|| option.equals("-XX:-UnlockDiagnosticVMOptions"))) {
			return List.of();
		}
		return List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:-AOTReplayTraining");
	}

	/**
	 * The root directory of every cache: the configured one, else
	 * {@code $XDG_CACHE_HOME/jproc}, else {@code ~/.cache/jproc}.
	 * @param properties {@code jproc.boot-cache.*}
	 * @return the absolute root directory
	 */
	static Path directory(JprocProperties.BootCache properties) {
		if (properties.getDir() != null) {
			return properties.getDir().toAbsolutePath();
		}
		String xdg = System.getenv("XDG_CACHE_HOME");
		if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
			return Path.of(xdg, "jproc");
		}
		return Path.of(System.getProperty("user.home"), ".cache", "jproc");
	}

	/**
	 * How to start the next worker. Notices a jar replaced since the cache was keyed (a
	 * new build deployed before a reload): that build starts from its jar and gets its
	 * own cache once the pool is ready again.
	 * @return the command line and archive
	 */
	public Launch launch() {
		if (this.jar == null || this.state == State.OFF) {
			return new Launch(this.plainArgv, null);
		}
		if (!Objects.equals(this.stamp, JarStamp.of(this.jar))) {
			logger.info("jproc boot cache: " + this.jar + " changed; new workers start from it and a new cache "
					+ "is prepared once the pool is ready");
			keyToJar();
		}
		Path dir = this.dir;
		if (this.state != State.READY || dir == null) {
			return new Launch(this.plainArgv, null);
		}
		Path extracted = dir.resolve("app").resolve(this.jar.getFileName());
		Path archive = dir.resolve(this.kind.fileName());
		CacheFiles.Manifest verified = this.verified;
		String problem = (verified != null)
				? (BootCacheStore.isPublished(dir) ? verified.changed(dir) : "it was removed") : "it was not verified";
		if (problem == null && (!CacheFiles.isRegularFile(extracted) || !CacheFiles.isRegularFile(archive))) {
			problem = "it was removed";
		}
		if (problem != null) {
			failed(dir, "the cache at " + dir + " is not used: " + problem);
			return new Launch(this.plainArgv, null);
		}
		BootCacheStore.touch(dir);
		return new Launch(WorkerCommand.withJar(this.plainArgv, extracted.toString(), archiveOptions(archive)),
				archive);
	}

	/**
	 * A worker started from the cache failed to boot: the cache is abandoned, by this
	 * master and (through a mark in its directory) by every later one with the same key,
	 * and workers start from the jar. Whoever asks decides that the failure does not
	 * count against the worker's slot.
	 * @param archive the archive the worker was started with ({@link Launch#archive()})
	 * @param worker the worker, for the reason
	 */
	public void failedToBoot(Path archive, String worker) {
		Path dir = archive.getParent();
		String why = worker + " started from the boot cache at " + dir + " failed to boot";
		BootCacheStore.markFailed(dir, why + " (" + java.time.Instant.now() + ")");
		failed(dir, why + "; it is abandoned (delete it to have it prepared again)");
	}

	private List<String> archiveOptions(Path archive) {
		List<String> options = new ArrayList<>(2);
		if (this.kind == Kind.AOT) {
			// AOTMode defaults to auto: an AOT cache that does not fit is left aside.
			options.add("-XX:AOTCache=" + archive);
		}
		else {
			options.add("-XX:SharedArchiveFile=" + archive);
			options.add("-Xshare:auto");
		}
		return options;
	}

	/**
	 * The pool has every wanted worker ready: prepare the cache in the background if it
	 * is not there yet, or, when it is ready, clean the old caches up in the background
	 * (once per cache). Does nothing while it is being prepared.
	 */
	public void poolReady() {
		Path dir = this.dir;
		if (this.state == State.READY && dir != null && !dir.equals(this.cleanedFor)) {
			// Found ready at start or after a reload: no training will clean up, so trim
			// the old and abandoned caches (other builds, stopped masters) now.
			this.cleanedFor = dir;
			Path root = Objects.requireNonNull(this.root);
			Thread cleanUp = new Thread(() -> BootCacheStore.cleanUp(root, dir), "jproc-boot-cache-clean-up");
			cleanUp.setDaemon(true);
			cleanUp.start();
			return;
		}
		if (this.state != State.TRAINING || dir == null || this.jar == null || this.training != null) {
			return;
		}
		this.training = new BootCacheTraining(this, this.runner, this.kind, Objects.requireNonNull(this.root), dir,
				this.jar, this.plainArgv, this.helpers.trainingArgs(), this.helpers.environment(),
				this.helpers.trainingEnvironment());
		this.training.start();
	}

	/**
	 * Stop a training run, if any, and wait briefly while it deletes what it wrote: the
	 * master is leaving.
	 */
	public void close() {
		BootCacheTraining running = this.training;
		if (running != null) {
			running.stop();
			running.awaitEnd();
		}
		releaseUse();
	}

	public PoolStatus.BootCache status() {
		return new PoolStatus.BootCache(this.state.name().toLowerCase(Locale.ROOT),
				(this.state == State.OFF) ? null : this.kind.name().toLowerCase(Locale.ROOT),
				(this.dir != null) ? this.dir.toString() : null, this.reason);
	}

	public State state() {
		return this.state;
	}

	public @Nullable String reason() {
		return this.reason;
	}

	/**
	 * The training thread published the cache, or found it published by another master.
	 * @param dir the cache directory
	 * @param manifest what was checked, {@code null} to verify it now
	 * @param use the use lock the preparation took, {@code null} to take one now
	 */
	void ready(Path dir, CacheFiles.@Nullable Manifest manifest, @Nullable CacheLock use) {
		String problem = null;
		synchronized (this) {
			if (!dir.equals(this.dir)) {
				closeQuietly(use);
				return;
			}
			if (manifest != null && use != null) {
				this.verified = manifest;
				this.inUse = use;
			}
			else {
				closeQuietly(use);
				problem = use(dir);
			}
			if (problem == null) {
				this.reason = null;
				this.state = State.READY;
				return;
			}
		}
		failed(dir, problem);
	}

	void training(Path dir, String what) {
		if (dir.equals(this.dir)) {
			this.reason = what;
		}
	}

	void failed(Path dir, String why) {
		synchronized (this) {
			if (!dir.equals(this.dir) || this.state == State.FAILED) {
				return;
			}
			releaseUse();
			this.reason = why;
			this.state = State.FAILED;
		}
		logger.warn("jproc boot cache: " + why + "; workers start from the jar");
	}

	private void failed(String why) {
		this.reason = why;
		this.state = State.FAILED;
		logger.warn("jproc boot cache: " + why + "; workers start from the jar");
	}

	/**
	 * Take the use lock on a published cache and check its digests.
	 * @param dir the cache directory
	 * @return why it cannot be used, {@code null} when it can
	 */
	private synchronized @Nullable String use(Path dir) {
		releaseUse();
		CacheLock lock;
		try {
			lock = CacheLock.tryUse(BootCacheStore.lockFile(Objects.requireNonNull(this.root), dir));
		}
		catch (IOException | RuntimeException ex) {
			return "the lock file of " + dir + " cannot be used (" + ex.getMessage() + ")";
		}
		if (lock == null) {
			return "the cache at " + dir + " is being removed";
		}
		try {
			this.verified = BootCacheStore.verify(dir);
			this.inUse = lock;
			return null;
		}
		catch (IOException | RuntimeException ex) {
			closeQuietly(lock);
			return "the cache at " + dir + " is refused: " + ex.getMessage();
		}
	}

	private synchronized void releaseUse() {
		this.verified = null;
		CacheLock use = this.inUse;
		this.inUse = null;
		closeQuietly(use);
	}

	private static void closeQuietly(@Nullable CacheLock lock) {
		if (lock != null) {
			try {
				lock.close();
			}
			catch (IOException ex) {
				// Released with the channel anyway.
			}
		}
	}

	private synchronized void keyToJar() {
		Path jar = Objects.requireNonNull(this.jar);
		BootCacheTraining previous = this.training;
		if (previous != null) {
			previous.stop();
			this.training = null;
		}
		try {
			this.stamp = JarStamp.of(jar);
			String key = key(jar, this.kind, WorkerCommand.jvmOptions(this.plainArgv));
			String name = jar.getFileName().toString().replaceFirst("\\.jar$", "");
			releaseUse();
			Path dir = Objects.requireNonNull(this.root).resolve(name + "-" + key);
			this.dir = dir;
			this.state = State.TRAINING;
			this.reason = "waiting for the pool to be ready";
			String failedMark = BootCacheStore.failedMark(dir);
			if (failedMark != null) {
				this.state = State.FAILED;
				this.reason = "abandoned by an earlier master: " + failedMark + " (delete " + dir
						+ " to have it prepared again)";
				logger.warn("jproc boot cache: " + this.reason + "; workers start from the jar");
			}
			else if (BootCacheStore.isPublished(dir) && BootCacheStore.recordsDigests(dir)) {
				long checking = System.nanoTime();
				String problem = use(dir);
				if (problem == null) {
					this.state = State.READY;
					this.reason = null;
					logger.info("jproc boot cache: ready at " + dir + " (" + this.kind.name().toLowerCase(Locale.ROOT)
							+ ", digests checked in "
							+ Durations.seconds(Duration.ofNanos(System.nanoTime() - checking))
							+ "); workers start from it");
				}
				else if (!problem.endsWith("is being removed")) {
					failed(dir, problem);
				}
			}
		}
		catch (IOException ex) {
			this.dir = null;
			failed("cannot read " + jar + " (" + ex.getMessage() + ")");
		}
	}

	/**
	 * The cache key: the jar's content, the JVM build and every worker JVM option.
	 * @param jar the application jar
	 * @param kind the kind of class archive
	 * @param jvmOptions the workers' JVM options
	 * @return the first 8 bytes of the SHA-256 digest, in hex
	 * @throws IOException if the jar cannot be read
	 */
	static String key(Path jar, Kind kind, List<String> jvmOptions) throws IOException {
		MessageDigest digest;
		try {
			digest = MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
		try (InputStream in = Files.newInputStream(jar)) {
			byte[] buffer = new byte[1 << 16];
			int read;
			while ((read = in.read(buffer)) > 0) {
				digest.update(buffer, 0, read);
			}
		}
		List<String> parts = new ArrayList<>();
		parts.add(kind.name());
		parts.add(System.getProperty("java.home"));
		parts.add(System.getProperty("java.vm.version"));
		parts.add(System.getProperty("java.runtime.version"));
		parts.addAll(jvmOptions);
		for (String part : parts) {
			digest.update(("\n" + part).getBytes(java.nio.charset.StandardCharsets.UTF_8));
		}
		return HexFormat.of().formatHex(digest.digest(), 0, 8);
	}

	/** What tells a jar was replaced, without reading it again. */
	private record JarStamp(@Nullable Object fileKey, long size, long modified) {

		static @Nullable JarStamp of(Path jar) {
			try {
				BasicFileAttributes attributes = Files.readAttributes(jar, BasicFileAttributes.class);
				return new JarStamp(attributes.fileKey(), attributes.size(), attributes.lastModifiedTime().toMillis());
			}
			catch (IOException ex) {
				return null;
			}
		}

	}

	/** The state of the cache, as {@code /actuator/workers} shows it. */
	public enum State {

		/** Turned off, or not possible for this command line. */
		OFF,

		/** Waiting for the pool to be ready, or preparing in the background. */
		TRAINING,

		/** Later workers start from it. */
		READY,

		/** Could not be prepared; workers start from the jar. */
		FAILED

	}

	/** The kind of class archive. */
	enum Kind {

		/** JDK 25+: {@code -XX:AOTCacheOutput} to train, {@code -XX:AOTCache} to use. */
		AOT("app.aot"),

		/**
		 * JDK 17 to 24: {@code -XX:ArchiveClassesAtExit}, {@code -XX:SharedArchiveFile}.
		 */
		CDS("app.jsa");

		private final String fileName;

		Kind(String fileName) {
			this.fileName = fileName;
		}

		String fileName() {
			return this.fileName;
		}

		static Kind forRuntime(int feature) {
			return (feature >= 25) ? AOT : CDS;
		}

	}

	/**
	 * What a worker is started with.
	 *
	 * @param argv the command line
	 * @param archive the class archive it should map, {@code null} for a plain start
	 */
	public record Launch(List<String> argv, @Nullable Path archive) {
	}

	/**
	 * How the helper processes run.
	 *
	 * @param runner starts and waits for them
	 * @param trainingArgs application arguments added for the training run
	 * @param environment environment of the extraction
	 * @param trainingEnvironment environment of the training run
	 */
	public record Helpers(BootCacheTraining.Runner runner, List<String> trainingArgs, Map<String, String> environment,
			Map<String, String> trainingEnvironment) {
	}

}
