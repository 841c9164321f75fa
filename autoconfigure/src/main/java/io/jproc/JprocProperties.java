package io.jproc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties for jproc, bound from {@code jproc.*}.
 *
 * @author jproc developers
 */
@ConfigurationProperties(JprocProperties.PREFIX)
public class JprocProperties implements InitializingBean {

	/** Prefix of every jproc property. */
	public static final String PREFIX = "jproc";

	/** The most spare workers {@code jproc.spare-workers} allows. */
	public static final int MAX_SPARE_WORKERS = 256;

	/**
	 * Number of worker JVMs, or 'auto' for one per available processor. 0 (the default)
	 * turns jproc off: the application runs as a plain single process.
	 */
	private WorkerCount workers = WorkerCount.OFF;

	/**
	 * Number of spare workers (0 to 256): fully booted worker JVMs that hold the shared
	 * socket but take no connection until a worker must be replaced (crash, retirement,
	 * hung worker, restart, scale-up); then a ready spare takes the slot at once and a
	 * new spare boots in the background. Each spare costs the memory of a worker.
	 */
	private int spareWorkers;

	/**
	 * Length of the kernel accept queue of the shared listening socket. Connections that
	 * arrive while no worker accepts wait here instead of being refused.
	 */
	private int backlog = 1024;

	/**
	 * Maximum time the master waits for its workers to drain and exit after SIGTERM or
	 * SIGINT before it kills the stragglers.
	 */
	private Duration shutdownTimeout = Duration.ofSeconds(30);

	/**
	 * Maximum time a leaving worker takes to finish its in-flight requests once it has
	 * stopped accepting. Past it (plus a grace period of 5 s) the master kills it.
	 */
	private Duration drainTimeout = Duration.ofSeconds(30);

	/**
	 * Maximum time a worker retiring for a planned reason keeps serving while it waits
	 * for its replacement to become ready, counted from the replacement's spawn. Past it
	 * the worker drains anyway.
	 */
	private Duration replaceTimeout = Duration.ofSeconds(60);

	private final Worker worker = new Worker();

	private final Restart restart = new Restart();

	private final Heartbeat heartbeat = new Heartbeat();

	private final Recycle recycle = new Recycle();

	private final Reload reload = new Reload();

	private final Ipc ipc = new Ipc();

	private final Messaging messaging = new Messaging();

	private final Scheduling scheduling = new Scheduling();

	private final BootCache bootCache = new BootCache();

	private final Warmup warmup = new Warmup();

	public WorkerCount getWorkers() {
		return this.workers;
	}

	public void setWorkers(WorkerCount workers) {
		this.workers = workers;
	}

	public int getSpareWorkers() {
		return this.spareWorkers;
	}

	public void setSpareWorkers(int spareWorkers) {
		this.spareWorkers = spareWorkers;
	}

	public int getBacklog() {
		return this.backlog;
	}

	public void setBacklog(int backlog) {
		this.backlog = backlog;
	}

	public Duration getShutdownTimeout() {
		return this.shutdownTimeout;
	}

	public void setShutdownTimeout(Duration shutdownTimeout) {
		this.shutdownTimeout = shutdownTimeout;
	}

	public Duration getDrainTimeout() {
		return this.drainTimeout;
	}

	public void setDrainTimeout(Duration drainTimeout) {
		this.drainTimeout = drainTimeout;
	}

	public Duration getReplaceTimeout() {
		return this.replaceTimeout;
	}

	public void setReplaceTimeout(Duration replaceTimeout) {
		this.replaceTimeout = replaceTimeout;
	}

	public Worker getWorker() {
		return this.worker;
	}

	public Restart getRestart() {
		return this.restart;
	}

	public Heartbeat getHeartbeat() {
		return this.heartbeat;
	}

	public Recycle getRecycle() {
		return this.recycle;
	}

	public Reload getReload() {
		return this.reload;
	}

	public Ipc getIpc() {
		return this.ipc;
	}

	public Messaging getMessaging() {
		return this.messaging;
	}

	public Scheduling getScheduling() {
		return this.scheduling;
	}

	public Warmup getWarmup() {
		return this.warmup;
	}

	public BootCache getBootCache() {
		return this.bootCache;
	}

	/**
	 * Bound as a bean (in a worker, or wherever the configuration is read again, such as
	 * a worker started by a reload that re-reads {@code application.yml}): a wrong value
	 * fails the start with the key that is wrong, as it does in the master.
	 */
	@Override
	public void afterPropertiesSet() {
		if (this.workers.enabled()) {
			validate();
		}
	}

	/**
	 * Check the values that binding alone cannot check.
	 * @throws InvalidConfigurationPropertyValueException naming the first wrong key
	 */
	public void validate() {
		requireRange("backlog", this.backlog, 1, 65535);
		requireRange("spare-workers", this.spareWorkers, 0, MAX_SPARE_WORKERS);
		requirePositive("shutdown-timeout", this.shutdownTimeout);
		requirePositive("drain-timeout", this.drainTimeout);
		requirePositive("replace-timeout", this.replaceTimeout);
		requirePositive("worker.boot-timeout", this.worker.bootTimeout);
		requirePositive("restart.initial-backoff", this.restart.initialBackoff);
		requirePositive("restart.max-backoff", this.restart.maxBackoff);
		requireRange("restart.max-restarts", this.restart.maxRestarts, 1, 10_000);
		requireRange("restart.max-boot-failures", this.restart.maxBootFailures, 1, 10_000);
		requirePositive("restart.window", this.restart.window);
		requirePositive("heartbeat.interval", this.heartbeat.interval);
		requirePositive("heartbeat.timeout", this.heartbeat.timeout);
		if (this.heartbeat.timeout.compareTo(this.heartbeat.interval) <= 0) {
			throw new InvalidConfigurationPropertyValueException(PREFIX + ".heartbeat.timeout", this.heartbeat.timeout,
					"must be longer than jproc.heartbeat.interval (" + this.heartbeat.interval + ")");
		}
		requireRange("recycle.max-requests", this.recycle.maxRequests, 0, Long.MAX_VALUE);
		requireRange("recycle.max-requests-jitter", this.recycle.maxRequestsJitter, 0, Long.MAX_VALUE);
		requireRange("recycle.max-parallel", this.recycle.maxParallel, 1, WorkerCount.MAX);
		requireRange("reload.max-parallel", this.reload.maxParallel, 1, WorkerCount.MAX);
		requirePositive("reload.ready-timeout", this.reload.readyTimeout);
		requirePositive("ipc.request-timeout", this.ipc.requestTimeout);
		requirePositive("ipc.scrape-timeout", this.ipc.scrapeTimeout);
		requireRange("boot-cache.training-requests", this.bootCache.trainingRequests, 0, 100_000);
		requireRange("warmup.requests", this.warmup.requests, 0, 1_000_000);
		requireRange("warmup.concurrency", this.warmup.concurrency, 1, 64);
		requirePositive("warmup.timeout", this.warmup.timeout);
		requirePaths("warmup.paths", this.warmup.paths);
		if (this.warmup.requests > 0 && this.warmup.paths.isEmpty()) {
			throw new InvalidConfigurationPropertyValueException(PREFIX + ".warmup.paths", this.warmup.paths,
					"must name at least one path when jproc.warmup.requests is above 0");
		}
		requirePaths("boot-cache.training-paths", this.bootCache.trainingPaths);
		if (this.ipc.scrapeTimeout.compareTo(this.ipc.requestTimeout) >= 0) {
			throw new InvalidConfigurationPropertyValueException(PREFIX + ".ipc.scrape-timeout", this.ipc.scrapeTimeout,
					"must be shorter than jproc.ipc.request-timeout (" + this.ipc.requestTimeout + ")");
		}
		DataSize maxPayload = this.messaging.maxPayload;
		if (maxPayload == null || maxPayload.toBytes() < 1 || maxPayload.toBytes() > Messaging.MAX_PAYLOAD_LIMIT) {
			throw new InvalidConfigurationPropertyValueException(PREFIX + ".messaging.max-payload", maxPayload,
					"must be a size from 1B to 4MB");
		}
		requireRange("messaging.queue-capacity", this.messaging.queueCapacity, 1, 1_000_000);
		requirePositive("messaging.revoke-timeout", this.messaging.revokeTimeout);
	}

	private static void requireRange(String key, long value, long min, long max) {
		if (value < min || value > max) {
			String allowed = (max == Long.MAX_VALUE) ? "a whole number of at least " + min
					: "a whole number from " + min + " to " + max;
			throw new InvalidConfigurationPropertyValueException(PREFIX + "." + key, value, "must be " + allowed);
		}
	}

	private static void requirePaths(String key, List<String> paths) {
		for (String path : paths) {
			if (path == null || !path.startsWith("/")) {
				throw new InvalidConfigurationPropertyValueException(PREFIX + "." + key, paths,
						"every path must start with '/', such as /api/hello");
			}
		}
	}

	private static void requirePositive(String key, @Nullable Duration value) {
		if (value == null || value.isNegative() || value.isZero()) {
			throw new InvalidConfigurationPropertyValueException(PREFIX + "." + key, value,
					"must be a positive duration such as 500ms, 30s or 5m");
		}
	}

	/**
	 * How worker JVMs are started.
	 */
	public static class Worker {

		/**
		 * Extra JVM options for the workers, placed after the master's own JVM options so
		 * that they win (for example -Xmx512m).
		 */
		private List<String> jvmArgs = new ArrayList<>();

		/**
		 * Extra environment variables for the workers.
		 */
		private Map<String, String> environment = new LinkedHashMap<>();

		/**
		 * Maximum time from spawn until a worker reports it is ready. A worker that takes
		 * longer is killed and counts as a boot failure. A spare, which boots at a lower
		 * CPU priority, is raised to the serving workers' priority when it is still
		 * booting at half of this time.
		 */
		private Duration bootTimeout = Duration.ofSeconds(120);

		/**
		 * Whether to size each worker JVM to its share of the machine: the processors the
		 * master may use divided by the workers (-XX:ActiveProcessorCount) and the JVM's
		 * default maximum heap of 25% of memory divided by the workers
		 * (-XX:MaxRAMPercentage). Options set in jvm-args or on the master's own command
		 * line win. A worker with a single processor gets the Serial GC, like any JVM on
		 * one processor, unless a GC is chosen.
		 */
		private boolean rightSize = true;

		public boolean isRightSize() {
			return this.rightSize;
		}

		public void setRightSize(boolean rightSize) {
			this.rightSize = rightSize;
		}

		public List<String> getJvmArgs() {
			return this.jvmArgs;
		}

		public void setJvmArgs(List<String> jvmArgs) {
			this.jvmArgs = jvmArgs;
		}

		public Map<String, String> getEnvironment() {
			return this.environment;
		}

		public void setEnvironment(Map<String, String> environment) {
			this.environment = environment;
		}

		public Duration getBootTimeout() {
			return this.bootTimeout;
		}

		public void setBootTimeout(Duration bootTimeout) {
			this.bootTimeout = bootTimeout;
		}

	}

	/**
	 * How the master replaces workers that exit without being asked to.
	 */
	public static class Restart {

		/**
		 * Delay before the second quick restart of a slot. Each further quick failure
		 * multiplies it by 1.5, up to max-backoff. The first restart is immediate.
		 */
		private Duration initialBackoff = Duration.ofMillis(500);

		/**
		 * Longest delay between restarts of a slot.
		 */
		private Duration maxBackoff = Duration.ofSeconds(15);

		/**
		 * A worker that exits sooner than this after it was spawned has failed quickly:
		 * its next restart is delayed with backoff.
		 */
		private Duration minUptime = Duration.ofSeconds(10);

		/**
		 * Maximum unexpected exits of one slot within the window. One more and the slot
		 * is given up.
		 */
		private int maxRestarts = 10;

		/**
		 * Time window over which max-restarts is counted.
		 */
		private Duration window = Duration.ofMinutes(5);

		/**
		 * Consecutive boot failures (exits before ready) after which a slot is given up.
		 */
		private int maxBootFailures = 3;

		public Duration getInitialBackoff() {
			return this.initialBackoff;
		}

		public void setInitialBackoff(Duration initialBackoff) {
			this.initialBackoff = initialBackoff;
		}

		public Duration getMaxBackoff() {
			return this.maxBackoff;
		}

		public void setMaxBackoff(Duration maxBackoff) {
			this.maxBackoff = maxBackoff;
		}

		public Duration getMinUptime() {
			return this.minUptime;
		}

		public void setMinUptime(Duration minUptime) {
			this.minUptime = minUptime;
		}

		public int getMaxRestarts() {
			return this.maxRestarts;
		}

		public void setMaxRestarts(int maxRestarts) {
			this.maxRestarts = maxRestarts;
		}

		public Duration getWindow() {
			return this.window;
		}

		public void setWindow(Duration window) {
			this.window = window;
		}

		public int getMaxBootFailures() {
			return this.maxBootFailures;
		}

		public void setMaxBootFailures(int maxBootFailures) {
			this.maxBootFailures = maxBootFailures;
		}

	}

	/**
	 * Liveness heartbeats from workers to the master.
	 */
	public static class Heartbeat {

		/**
		 * How often a worker sends a heartbeat with its figures.
		 */
		private Duration interval = Duration.ofSeconds(5);

		/**
		 * A worker silent for this long is hung: it is replaced, its thread dump is
		 * requested and it is killed.
		 */
		private Duration timeout = Duration.ofSeconds(30);

		public Duration getInterval() {
			return this.interval;
		}

		public void setInterval(Duration interval) {
			this.interval = interval;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

	}

	/**
	 * Planned recycling of workers. Every trigger is off by default.
	 */
	public static class Recycle {

		/**
		 * Requests after which a worker is recycled. 0 turns this trigger off.
		 */
		private long maxRequests;

		/**
		 * Upper bound of a random number added to max-requests per worker, so that
		 * workers do not recycle together.
		 */
		private long maxRequestsJitter;

		/**
		 * Heap still in use after a garbage collection above which a worker is recycled.
		 * Unset turns this trigger off.
		 */
		private @Nullable DataSize maxHeap;

		/**
		 * Age after which a worker is recycled. Unset turns this trigger off.
		 */
		private @Nullable Duration maxAge;

		/**
		 * Maximum planned retirements running at once, from the replacement's spawn until
		 * it is ready. Retirements for a fatal error are never delayed.
		 */
		private int maxParallel = 1;

		public long getMaxRequests() {
			return this.maxRequests;
		}

		public void setMaxRequests(long maxRequests) {
			this.maxRequests = maxRequests;
		}

		public long getMaxRequestsJitter() {
			return this.maxRequestsJitter;
		}

		public void setMaxRequestsJitter(long maxRequestsJitter) {
			this.maxRequestsJitter = maxRequestsJitter;
		}

		public @Nullable DataSize getMaxHeap() {
			return this.maxHeap;
		}

		public void setMaxHeap(@Nullable DataSize maxHeap) {
			this.maxHeap = maxHeap;
		}

		public @Nullable Duration getMaxAge() {
			return this.maxAge;
		}

		public void setMaxAge(@Nullable Duration maxAge) {
			this.maxAge = maxAge;
		}

		public int getMaxParallel() {
			return this.maxParallel;
		}

		public void setMaxParallel(int maxParallel) {
			this.maxParallel = maxParallel;
		}

	}

	/**
	 * Rolling reloads of the whole pool.
	 */
	public static class Reload {

		/**
		 * Workers replaced at once during a rolling reload.
		 */
		private int maxParallel = 1;

		/**
		 * Maximum time a new worker of a reload takes to become ready. Past it the reload
		 * stops and the old workers keep serving.
		 */
		private Duration readyTimeout = Duration.ofSeconds(120);

		public int getMaxParallel() {
			return this.maxParallel;
		}

		public void setMaxParallel(int maxParallel) {
			this.maxParallel = maxParallel;
		}

		public Duration getReadyTimeout() {
			return this.readyTimeout;
		}

		public void setReadyTimeout(Duration readyTimeout) {
			this.readyTimeout = readyTimeout;
		}

	}

	/**
	 * The channel between master and workers.
	 */
	public static class Ipc {

		/**
		 * Maximum time a worker waits for the master to answer a request (pool status,
		 * metrics) before it answers its caller with an error.
		 */
		private Duration requestTimeout = Duration.ofSeconds(5);

		/**
		 * Maximum time the master waits for each other worker's metrics when a Prometheus
		 * scrape gathers the whole pool. A worker later than this is left out of that
		 * scrape. Must be shorter than request-timeout.
		 */
		private Duration scrapeTimeout = Duration.ofSeconds(2);

		public Duration getRequestTimeout() {
			return this.requestTimeout;
		}

		public void setRequestTimeout(Duration requestTimeout) {
			this.requestTimeout = requestTimeout;
		}

		public Duration getScrapeTimeout() {
			return this.scrapeTimeout;
		}

		public void setScrapeTimeout(Duration scrapeTimeout) {
			this.scrapeTimeout = scrapeTimeout;
		}

	}

	/**
	 * Application messages between workers ({@code JprocMessenger}).
	 */
	public static class Messaging {

		/** Largest payload accepted; the frame limit leaves room for JSON escaping. */
		static final long MAX_PAYLOAD_LIMIT = 4L * 1024 * 1024;

		/**
		 * Maximum size of one message's JSON payload, checked by the sender.
		 */
		private DataSize maxPayload = DataSize.ofMegabytes(1);

		/**
		 * Maximum number of application messages waiting for one destination: in each
		 * channel's outgoing queue and in each listener's incoming queue. When a queue is
		 * full, a send to that destination fails at once (outgoing) or the message is
		 * dropped, logged and counted (incoming); other destinations are not affected.
		 */
		private int queueCapacity = 1024;

		/**
		 * Maximum time a leader that is asked to give up leadership waits for its
		 * leader-only work in progress to finish before it acknowledges anyway.
		 */
		private Duration revokeTimeout = Duration.ofSeconds(10);

		public DataSize getMaxPayload() {
			return this.maxPayload;
		}

		public void setMaxPayload(DataSize maxPayload) {
			this.maxPayload = maxPayload;
		}

		public int getQueueCapacity() {
			return this.queueCapacity;
		}

		public void setQueueCapacity(int queueCapacity) {
			this.queueCapacity = queueCapacity;
		}

		public Duration getRevokeTimeout() {
			return this.revokeTimeout;
		}

		public void setRevokeTimeout(Duration revokeTimeout) {
			this.revokeTimeout = revokeTimeout;
		}

	}

	/**
	 * Scheduled work in a pool of workers.
	 */
	public static class Scheduling {

		/**
		 * Whether {@code @Scheduled} methods run only on the leader worker when jproc
		 * runs workers. Methods annotated {@code @EveryWorker} run on every worker
		 * regardless; {@code @LeaderOnly} methods run only on the leader regardless.
		 */
		private boolean leaderOnly = true;

		public boolean isLeaderOnly() {
			return this.leaderOnly;
		}

		public void setLeaderOnly(boolean leaderOnly) {
			this.leaderOnly = leaderOnly;
		}

	}

	/**
	 * The boot cache: Boot's extracted layout of the jar and a class archive (an AOT
	 * cache on JDK 25+, dynamic AppCDS before), prepared in the background once the pool
	 * is ready, from which later workers boot faster and lighter.
	 */
	public static class Warmup {

		/**
		 * Requests a new worker or spare sends to each warm-up path through the
		 * application's own handler chain, on a private loopback port, before it takes
		 * connections and reports ready. 0 (the default) turns warm-up off.
		 */
		private int requests;

		/**
		 * Paths the warm-up requests, each must start with '/'. GET requests: choose
		 * paths without side effects.
		 */
		private List<String> paths = new ArrayList<>(List.of("/"));

		/**
		 * Warm-up requests in flight at once (1 to 64).
		 */
		private int concurrency = 2;

		/**
		 * Longest time a warm-up may take; past it the worker reports ready anyway.
		 */
		private Duration timeout = Duration.ofSeconds(60);

		public int getRequests() {
			return this.requests;
		}

		public void setRequests(int requests) {
			this.requests = requests;
		}

		public List<String> getPaths() {
			return this.paths;
		}

		public void setPaths(List<String> paths) {
			this.paths = paths;
		}

		public int getConcurrency() {
			return this.concurrency;
		}

		public void setConcurrency(int concurrency) {
			this.concurrency = concurrency;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		/**
		 * Whether warm-up is on.
		 * @return {@code true} when requests are above 0
		 */
		public boolean isEnabled() {
			return this.requests > 0;
		}

	}

	public static class BootCache {

		/**
		 * Whether to prepare and use the boot cache. Workers started before it is ready,
		 * or when it cannot be used, start from the jar as usual.
		 */
		private boolean enabled = true;

		/**
		 * Directory that holds the caches, shared by every master of the user. Default
		 * $XDG_CACHE_HOME/jproc, else ~/.cache/jproc.
		 */
		private @Nullable Path dir;

		/**
		 * Paths the training run requests from the application on a private loopback
		 * port, so that the request path's classes are archived too.
		 */
		private List<String> trainingPaths = new ArrayList<>(List.of("/"));

		/**
		 * Requests the training run sends to each training path. 0 trains the start-up
		 * only.
		 */
		private int trainingRequests = 200;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public @Nullable Path getDir() {
			return this.dir;
		}

		public void setDir(@Nullable Path dir) {
			this.dir = dir;
		}

		public List<String> getTrainingPaths() {
			return this.trainingPaths;
		}

		public void setTrainingPaths(List<String> trainingPaths) {
			this.trainingPaths = trainingPaths;
		}

		public int getTrainingRequests() {
			return this.trainingRequests;
		}

		public void setTrainingRequests(int trainingRequests) {
			this.trainingRequests = trainingRequests;
		}

	}

}
