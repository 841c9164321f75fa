package io.jproc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

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
	 * Workers per available processor that {@code jproc.max-workers} allows when unset:
	 * beyond it each worker has a quarter of a processor and more workers only cost
	 * memory.
	 */
	public static final int DEFAULT_WORKERS_PER_PROCESSOR = 4;

	/** Default of {@code jproc.drain-timeout}, the one place it is written. */
	public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

	/**
	 * Pause of a leaving worker between it stops accepting and its drain (Boot's graceful
	 * shutdown) begins, so that connections accepted just before deliver their first
	 * request. Part of every kill deadline that follows from the drain.
	 */
	public static final Duration DRAIN_SETTLE = Duration.ofMillis(250);

	/**
	 * Time a worker is given after its drain for the shutdown phases that follow it
	 * (telling the master it drained, closing the context) before the master kills it.
	 */
	public static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);

	/** Default of {@code jproc.long-lived-grace}. */
	public static final Duration DEFAULT_LONG_LIVED_GRACE = Duration.ofSeconds(1);

	/** The default {@code jproc.native-heap-trim-interval}. */
	public static final Duration DEFAULT_NATIVE_HEAP_TRIM_INTERVAL = Duration.ofSeconds(10);

	/**
	 * Time a leaving worker waits for its long-lived connections to close once it told
	 * them to go away, before Boot's graceful shutdown begins (which waits for the rest
	 * within the drain-timeout). Part of every kill deadline that follows from the drain.
	 */
	public static final Duration LONG_LIVED_CLOSE = Duration.ofSeconds(2);

	/**
	 * Longest timeout any {@code jproc.*} duration allows: longer is a wrong unit rather
	 * than a wish, and far from where deadline arithmetic overflows.
	 */
	static final Duration MAX_TIMEOUT = Duration.ofDays(1);

	/**
	 * Longest {@code jproc.shutdown-timeout}: room for the longest drain and its grace.
	 */
	static final Duration MAX_SHUTDOWN_TIMEOUT = MAX_TIMEOUT.multipliedBy(2);

	/**
	 * Memory a JVM of the pool needs at the very least (a bare JVM is about 100 MB
	 * resident; a small Spring Boot worker about 225 MB). A pool of more JVMs than the
	 * machine has this much memory for cannot start.
	 */
	static final DataSize JVM_MEMORY_FLOOR = DataSize.ofMegabytes(100);

	/**
	 * Number of worker JVMs, or 'auto' for one per available processor. 0 (the default)
	 * turns jproc off: the application runs as a plain single process. At most 256, and
	 * no more than the machine's memory holds together with the spare workers and the
	 * master, at 100MB per JVM.
	 */
	private WorkerCount workers = WorkerCount.OFF;

	/**
	 * Most workers the pool may have (1 to 256): a scale (actuator, SIGTTIN) above it is
	 * refused, and so is a jproc.workers above it at start-up. Unset (the default): 4
	 * workers per available processor, or jproc.workers when that is more, and never more
	 * than the machine's memory holds at 100MB per JVM with the spare workers and the
	 * master. Set, the workers, the spares and the master must fit in that memory too.
	 */
	private @Nullable Integer maxWorkers;

	/**
	 * Number of spare workers (0 to 256): fully booted worker JVMs that hold the shared
	 * socket but take no connection until a worker must be replaced (crash, retirement,
	 * hung worker, restart, scale-up); then a ready spare takes the slot at once and a
	 * new spare boots in the background. Each spare costs the memory of a worker: the
	 * workers, the spares and the master must fit in the machine's memory at 100MB per
	 * JVM.
	 */
	private int spareWorkers;

	/**
	 * Length of the kernel accept queue of the shared listening socket (1 to 65535).
	 * Connections that arrive while no worker accepts wait here instead of being refused.
	 */
	private int backlog = 1024;

	/**
	 * Maximum time the master waits for its workers to drain and exit after SIGTERM or
	 * SIGINT before it kills the stragglers. Unset (the default), it follows from the
	 * drain: drain-timeout plus 250ms of settling, long-lived-grace plus 2s for
	 * long-lived connections to close, and 5s of grace for the shutdown phases after the
	 * drain (38250ms with the defaults). Set, it must be at least that long, so that no
	 * worker is killed inside the drain it is allowed, and at most 2d.
	 */
	private @Nullable Duration shutdownTimeout;

	/**
	 * Maximum time a leaving worker takes to finish its in-flight requests once it has
	 * stopped accepting (1ms to 1d). Sets Boot's
	 * spring.lifecycle.timeout-per-shutdown-phase in workers unless that is set. Past it
	 * (plus 250ms of settling, the long-lived-grace and 2s for long-lived connections,
	 * and a grace period of 5s) the master kills the worker.
	 */
	private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;

	/**
	 * Time a leaving worker lets its long-lived connections (WebSocket sessions, event
	 * streams) go on once it has stopped accepting, so that they may end by themselves (0
	 * to 1h). Past it each WebSocket is closed with 1001 "going away" and each event
	 * stream (text/event-stream) is ended cleanly, and the clients reconnect to another
	 * worker; the drain (drain-timeout) then waits only for ordinary requests. Each
	 * worker's kill deadline grows by this grace.
	 */
	private Duration longLivedGrace = DEFAULT_LONG_LIVED_GRACE;

	/**
	 * Maximum time a worker retiring for a planned reason keeps serving while it waits
	 * for its replacement to become ready, counted from the replacement's spawn (1ms to
	 * 1d). Past it the worker drains anyway.
	 */
	private Duration replaceTimeout = Duration.ofSeconds(60);

	/**
	 * Time between two trims of the C heap in the master and in each worker (0 to turn
	 * them off, or 1s to 1d): glibc keeps the memory the JVM frees (the JIT compilers'
	 * arenas, start-up's peaks) instead of giving it back, so a JVM stays at its start-up
	 * peak; malloc_trim(3) gives it back, some 30 to 50 MB a worker. The first trim comes
	 * one interval after start (a worker's after it is ready). Only on glibc (Linux);
	 * elsewhere nothing is done.
	 */
	private Duration nativeHeapTrimInterval = DEFAULT_NATIVE_HEAP_TRIM_INTERVAL;

	private final Worker worker = new Worker();

	private final Balance balance = new Balance();

	private final Restart restart = new Restart();

	private final Heartbeat heartbeat = new Heartbeat();

	private final Recycle recycle = new Recycle();

	private final Reload reload = new Reload();

	private final Ipc ipc = new Ipc();

	private final Health health = new Health();

	private final Messaging messaging = new Messaging();

	private final Scheduling scheduling = new Scheduling();

	private final BootCache bootCache = new BootCache();

	private final Warmup warmup = new Warmup();

	private final Master master = new Master();

	public WorkerCount getWorkers() {
		return this.workers;
	}

	public void setWorkers(WorkerCount workers) {
		this.workers = workers;
	}

	public @Nullable Integer getMaxWorkers() {
		return this.maxWorkers;
	}

	public void setMaxWorkers(@Nullable Integer maxWorkers) {
		this.maxWorkers = maxWorkers;
	}

	/**
	 * The most workers the pool may have now, on this machine: {@code jproc.max-workers},
	 * or its default.
	 * @return the cap and where it comes from
	 */
	public WorkerCap workerCap() {
		return workerCap(Runtime.getRuntime().availableProcessors(), MachineMemory.current());
	}

	/**
	 * The most workers the pool may have on a machine.
	 * @param processors the processors the master may use
	 * @param machineMemory the machine's memory, empty when unknown
	 * @return the cap and where it comes from
	 */
	WorkerCap workerCap(int processors, OptionalLong machineMemory) {
		if (this.maxWorkers != null) {
			return new WorkerCap(this.maxWorkers, PREFIX + ".max-workers=" + this.maxWorkers);
		}
		int perProcessors = DEFAULT_WORKERS_PER_PROCESSOR * Math.max(1, processors);
		int cap = Math.min(WorkerCount.MAX, Math.max(this.workers.value(), perProcessors));
		String source = "the default of " + PREFIX + ".max-workers: " + DEFAULT_WORKERS_PER_PROCESSOR + " x "
				+ processors + " processors";
		if (cap == this.workers.value() && cap > perProcessors) {
			source = "the default of " + PREFIX + ".max-workers: " + PREFIX + ".workers";
		}
		if (machineMemory.isPresent()) {
			long fit = machineMemory.getAsLong() / JVM_MEMORY_FLOOR.toBytes() - 1 - this.spareWorkers;
			if (fit < cap) {
				cap = (int) Math.max(this.workers.value(), Math.max(1, fit));
				source = "the default of " + PREFIX + ".max-workers: what this machine's "
						+ DataSize.ofBytes(machineMemory.getAsLong()).toMegabytes() + "MB hold at "
						+ PropertyChecks.format(JVM_MEMORY_FLOOR) + " per JVM, the spares and the master included";
			}
		}
		return new WorkerCap(cap, source);
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

	/**
	 * The time the master gives its workers to drain and exit at shutdown before it kills
	 * them: {@code jproc.shutdown-timeout} when set, else {@link #workerKillDeadline()}.
	 * @return the shutdown timeout in effect
	 */
	public Duration getShutdownTimeout() {
		return (this.shutdownTimeout != null) ? this.shutdownTimeout : workerKillDeadline();
	}

	public void setShutdownTimeout(@Nullable Duration shutdownTimeout) {
		this.shutdownTimeout = shutdownTimeout;
	}

	public Duration getDrainTimeout() {
		return this.drainTimeout;
	}

	public void setDrainTimeout(Duration drainTimeout) {
		this.drainTimeout = drainTimeout;
	}

	public Duration getLongLivedGrace() {
		return this.longLivedGrace;
	}

	public void setLongLivedGrace(Duration longLivedGrace) {
		this.longLivedGrace = longLivedGrace;
	}

	public Balance getBalance() {
		return this.balance;
	}

	public Duration getNativeHeapTrimInterval() {
		return this.nativeHeapTrimInterval;
	}

	public void setNativeHeapTrimInterval(Duration nativeHeapTrimInterval) {
		this.nativeHeapTrimInterval = nativeHeapTrimInterval;
	}

	public Duration getReplaceTimeout() {
		return this.replaceTimeout;
	}

	public void setReplaceTimeout(Duration replaceTimeout) {
		this.replaceTimeout = replaceTimeout;
	}

	/**
	 * The time from asking a serving worker to leave (stop, retirement, replacement,
	 * shutdown) until the master may kill it: the settling pause, the drain it is allowed
	 * ({@code jproc.drain-timeout}), the time its long-lived connections are given
	 * ({@code jproc.long-lived-grace} and {@link #LONG_LIVED_CLOSE}) and the grace for
	 * the shutdown phases after the drain. The one place where a kill deadline follows
	 * from the drain.
	 * @return {@link #DRAIN_SETTLE} + long-lived-grace + {@link #LONG_LIVED_CLOSE} +
	 * drain-timeout + {@link #SHUTDOWN_GRACE}
	 */
	public Duration workerKillDeadline() {
		return DRAIN_SETTLE.plus(this.longLivedGrace)
			.plus(LONG_LIVED_CLOSE)
			.plus(this.drainTimeout)
			.plus(SHUTDOWN_GRACE);
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

	public Health getHealth() {
		return this.health;
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

	public Master getMaster() {
		return this.master;
	}

	/**
	 * Bound as a bean (in a worker, or wherever the configuration is read again, such as
	 * a worker started by a reload that re-reads {@code application.yml}): a wrong value
	 * fails the start with the key that is wrong, as it does in the master. The pool's
	 * size against the machine's memory is the master's to check: it sizes the pool.
	 */
	@Override
	public void afterPropertiesSet() {
		if (this.workers.enabled()) {
			validate(OptionalLong.empty());
		}
	}

	/**
	 * Check the values that binding alone cannot check, group by group. Each wrong value
	 * is reported with its full key and the values it allows.
	 * @throws InvalidConfigurationPropertyValueException naming the first wrong key
	 */
	public void validate() {
		validate(MachineMemory.current());
	}

	/**
	 * Check the values against a machine of the given memory.
	 * @param machineMemory the bytes of memory the pool can have, empty when unknown
	 * (then the pool's size is not checked against it)
	 */
	void validate(OptionalLong machineMemory) {
		validatePool(machineMemory);
		validateDeadlines();
		this.worker.validate();
		this.balance.validate();
		this.restart.validate();
		this.heartbeat.validate();
		this.recycle.validate(this.heartbeat);
		this.reload.validate();
		this.ipc.validate();
		this.health.validate(this.ipc);
		this.messaging.validate();
		this.bootCache.validate();
		this.master.validate();
		this.warmup.validate(this.worker);
	}

	private void validatePool(OptionalLong machineMemory) {
		PropertyChecks.range(PREFIX + ".backlog", this.backlog, 1, 65535);
		PropertyChecks.range(PREFIX + ".spare-workers", this.spareWorkers, 0, MAX_SPARE_WORKERS);
		if (this.maxWorkers != null) {
			PropertyChecks.range(PREFIX + ".max-workers", this.maxWorkers, 1, WorkerCount.MAX);
			if (this.workers.value() > this.maxWorkers) {
				throw PropertyChecks.invalid(PREFIX + ".workers", this.workers, "must be a whole number from 0 to "
						+ this.maxWorkers + ", jproc.max-workers (0 turns jproc off)");
			}
		}
		if (machineMemory.isEmpty() || !this.workers.enabled()) {
			return;
		}
		long fit = machineMemory.getAsLong() / JVM_MEMORY_FLOOR.toBytes();
		int workerCount = this.workers.value();
		if (workerCount + this.spareWorkers + 1 <= fit) {
			if (this.maxWorkers != null && this.maxWorkers + this.spareWorkers + 1 > fit) {
				throw PropertyChecks.invalid(PREFIX + ".max-workers", this.maxWorkers,
						"must be a whole number from " + Math.max(1, workerCount) + " to "
								+ (fit - 1 - this.spareWorkers) + " with jproc.spare-workers=" + this.spareWorkers
								+ ": this machine has " + DataSize.ofBytes(machineMemory.getAsLong()).toMegabytes()
								+ "MB of memory, room for " + fit + " JVMs at "
								+ PropertyChecks.format(JVM_MEMORY_FLOOR) + " each, the master's included");
			}
			return;
		}
		String machine = "this machine has " + DataSize.ofBytes(machineMemory.getAsLong()).toMegabytes()
				+ "MB of memory, room for " + fit + " JVMs at " + PropertyChecks.format(JVM_MEMORY_FLOOR)
				+ " each, the master's included";
		if (workerCount + 1 > fit) {
			throw PropertyChecks.invalid(PREFIX + ".workers", this.workers,
					"must be a whole number from 0 to " + Math.max(0, fit - 1) + " (0 turns jproc off): " + machine);
		}
		throw PropertyChecks.invalid(PREFIX + ".spare-workers", this.spareWorkers, "must be a whole number from 0 to "
				+ (fit - 1 - workerCount) + " with jproc.workers=" + workerCount + ": " + machine);
	}

	private void validateDeadlines() {
		PropertyChecks.duration(PREFIX + ".drain-timeout", this.drainTimeout, Duration.ofMillis(1), MAX_TIMEOUT);
		PropertyChecks.duration(PREFIX + ".replace-timeout", this.replaceTimeout, Duration.ofMillis(1), MAX_TIMEOUT);
		PropertyChecks.duration(PREFIX + ".long-lived-grace", this.longLivedGrace, Duration.ZERO, Duration.ofHours(1));
		Duration trim = this.nativeHeapTrimInterval;
		if (trim == null
				|| (!trim.isZero() && (trim.compareTo(Duration.ofSeconds(1)) < 0 || trim.compareTo(MAX_TIMEOUT) > 0))) {
			throw PropertyChecks.invalid(PREFIX + ".native-heap-trim-interval", trim,
					"must be 0 (no trimming) or a duration "
							+ PropertyChecks.durationRange(Duration.ofSeconds(1), MAX_TIMEOUT));
		}
		if (this.shutdownTimeout == null) {
			return;
		}
		Duration needed = workerKillDeadline();
		if (this.shutdownTimeout.compareTo(needed) < 0 || this.shutdownTimeout.compareTo(MAX_SHUTDOWN_TIMEOUT) > 0) {
			throw PropertyChecks.invalid(PREFIX + ".shutdown-timeout", this.shutdownTimeout,
					"must be a duration from " + PropertyChecks.format(needed) + " to "
							+ PropertyChecks.format(MAX_SHUTDOWN_TIMEOUT) + ": at least jproc.drain-timeout ("
							+ PropertyChecks.format(this.drainTimeout) + ") + " + PropertyChecks.format(DRAIN_SETTLE)
							+ " of settling + jproc.long-lived-grace (" + PropertyChecks.format(this.longLivedGrace)
							+ ") + " + PropertyChecks.format(LONG_LIVED_CLOSE)
							+ " for long-lived connections to close + " + PropertyChecks.format(SHUTDOWN_GRACE)
							+ " of grace for the shutdown phases after the drain, or the master may kill a worker"
							+ " inside them; leave jproc.shutdown-timeout unset to have it follow jproc.drain-timeout");
		}
	}

	/**
	 * How connections are spread over the workers that share the listening socket.
	 */
	public static class Balance {

		private static final String KEY = PREFIX + ".balance";

		/** Largest {@code jproc.balance.max-excess}. */
		static final int MAX_EXCESS = 1_000_000;

		/**
		 * Whether a worker holding far more open connections than the least loaded worker
		 * stops accepting until it is back near it. The workers publish their counts in a
		 * small shared-memory scoreboard the master creates; the least loaded worker
		 * never stops, so the pool always accepts.
		 */
		private boolean enabled = true;

		/**
		 * Open connections a worker may hold above the least loaded accepting worker
		 * before it stops accepting (1 to 1000000); with many connections the allowance
		 * grows to a tenth of the least loaded worker's count. It accepts again once it
		 * is within half of the allowance.
		 */
		private int maxExcess = 2;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public int getMaxExcess() {
			return this.maxExcess;
		}

		public void setMaxExcess(int maxExcess) {
			this.maxExcess = maxExcess;
		}

		void validate() {
			PropertyChecks.range(KEY + ".max-excess", this.maxExcess, 1, MAX_EXCESS);
		}

	}

	/**
	 * How worker JVMs are started.
	 */
	public static class Worker {

		private static final String KEY = PREFIX + ".worker";

		/**
		 * Extra JVM options for the workers, placed after the master's own JVM options so
		 * that they win (for example -Xmx512m). One option per entry, each starting with
		 * '-': a list, or a comma-separated value.
		 */
		private List<String> jvmArgs = new ArrayList<>();

		/**
		 * Extra environment variables for the workers.
		 */
		private Map<String, String> environment = new LinkedHashMap<>();

		/**
		 * Maximum time from spawn until a worker reports it is ready (1s to 1d). A worker
		 * that takes longer is killed and counts as a boot failure. A spare, which boots
		 * at a lower CPU priority, is raised to the serving workers' priority when it is
		 * still booting at half of this time.
		 */
		private Duration bootTimeout = Duration.ofSeconds(120);

		/**
		 * Whether to size each worker JVM to its share of the machine: the processors the
		 * master may use divided by the workers (-XX:ActiveProcessorCount) and the JVM's
		 * default maximum and initial heap divided by the workers and spares
		 * (-XX:MaxRAMPercentage, -XX:InitialRAMPercentage). Each new worker is sized for
		 * the pool it joins: after a scale, new workers get the new share and the others
		 * keep theirs until they are replaced (a reload replaces them all). Options set
		 * in jvm-args or on the master's own command line win. A worker with a single
		 * processor gets the Serial GC, like any JVM on one processor, unless a GC is
		 * chosen.
		 */
		private boolean rightSize = true;

		/**
		 * Most worker JVMs booting at once, spares included (1 to 256): a slot that needs
		 * a worker while this many boot waits, and is served in turn once one is ready or
		 * gone, so that a scale to many workers or a crash of many at once never boots
		 * more JVMs than the processors can boot. Unset (the default): one per available
		 * processor.
		 */
		private @Nullable Integer maxBooting;

		public @Nullable Integer getMaxBooting() {
			return this.maxBooting;
		}

		public void setMaxBooting(@Nullable Integer maxBooting) {
			this.maxBooting = maxBooting;
		}

		/**
		 * The most worker JVMs booting at once in effect: {@code max-booting}, or one per
		 * available processor.
		 * @return the bound, at least 1
		 */
		public int maxBooting() {
			return (this.maxBooting != null) ? this.maxBooting
					: Math.max(1, Runtime.getRuntime().availableProcessors());
		}

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

		/**
		 * A JVM does not boot in less than a second: a shorter boot-timeout kills every
		 * worker before it is ready, and every slot is given up.
		 */
		void validate() {
			PropertyChecks.jvmOptions(KEY + ".jvm-args", this.jvmArgs);
			PropertyChecks.duration(KEY + ".boot-timeout", this.bootTimeout, Duration.ofSeconds(1), MAX_TIMEOUT);
			if (this.maxBooting != null) {
				PropertyChecks.range(KEY + ".max-booting", this.maxBooting, 1, WorkerCount.MAX);
			}
		}

	}

	/**
	 * How the master replaces workers that exit without being asked to.
	 */
	public static class Restart {

		private static final String KEY = PREFIX + ".restart";

		/** Longest backoff: a slot waiting longer looks like a slot given up. */
		static final Duration MAX_BACKOFF = Duration.ofHours(1);

		/**
		 * Delay before the second quick restart of a slot (1ms to 1h, and no longer than
		 * max-backoff). Each further quick failure multiplies it by 1.5, up to
		 * max-backoff. The first restart is immediate.
		 */
		private Duration initialBackoff = Duration.ofMillis(500);

		/**
		 * Longest delay between restarts of a slot (1ms to 1h).
		 */
		private Duration maxBackoff = Duration.ofSeconds(15);

		/**
		 * A worker that exits sooner than this after it was spawned has failed quickly:
		 * its next restart is delayed with backoff (0s to 1d; 0s restarts every worker at
		 * once, without backoff).
		 */
		private Duration minUptime = Duration.ofSeconds(10);

		/**
		 * Maximum unexpected exits of one slot within the window (1 to 10000). One more
		 * and the slot is given up.
		 */
		private int maxRestarts = 10;

		/**
		 * Time window over which max-restarts is counted (1ms to 1d).
		 */
		private Duration window = Duration.ofMinutes(5);

		/**
		 * Consecutive boot failures (exits before ready) after which a slot is given up
		 * (1 to 10000).
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

		void validate() {
			PropertyChecks.duration(KEY + ".max-backoff", this.maxBackoff, Duration.ofMillis(1), MAX_BACKOFF);
			PropertyChecks.duration(KEY + ".initial-backoff", this.initialBackoff, Duration.ofMillis(1), MAX_BACKOFF);
			if (this.initialBackoff.compareTo(this.maxBackoff) > 0) {
				throw PropertyChecks.invalid(KEY + ".initial-backoff", this.initialBackoff,
						"must be a duration from 1ms to jproc.restart.max-backoff ("
								+ PropertyChecks.format(this.maxBackoff) + ")");
			}
			PropertyChecks.duration(KEY + ".min-uptime", this.minUptime, Duration.ZERO, MAX_TIMEOUT);
			PropertyChecks.duration(KEY + ".window", this.window, Duration.ofMillis(1), MAX_TIMEOUT);
			PropertyChecks.range(KEY + ".max-restarts", this.maxRestarts, 1, 10_000);
			PropertyChecks.range(KEY + ".max-boot-failures", this.maxBootFailures, 1, 10_000);
		}

	}

	/**
	 * Liveness heartbeats from workers to the master.
	 */
	public static class Heartbeat {

		private static final String KEY = PREFIX + ".heartbeat";

		/**
		 * Shortest interval: more often loads the master's loop with figures from every
		 * worker that nothing reads that often.
		 */
		static final Duration MIN_INTERVAL = Duration.ofMillis(100);

		/**
		 * How often a worker sends a heartbeat with its figures (100ms to 1h).
		 */
		private Duration interval = Duration.ofSeconds(5);

		/**
		 * A worker silent for this long is hung: it is replaced, its thread dump is
		 * requested and it is killed. Longer than interval, at most 1d.
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

		void validate() {
			PropertyChecks.duration(KEY + ".interval", this.interval, MIN_INTERVAL, Duration.ofHours(1));
			PropertyChecks.duration(KEY + ".timeout", this.timeout, Duration.ofMillis(1), MAX_TIMEOUT);
			if (this.timeout.compareTo(this.interval) <= 0) {
				throw PropertyChecks.invalid(KEY + ".timeout", this.timeout,
						"must be longer than jproc.heartbeat.interval (" + PropertyChecks.format(this.interval)
								+ "), at most " + PropertyChecks.format(MAX_TIMEOUT));
			}
		}

	}

	/**
	 * Planned recycling of workers. Every trigger is off by default.
	 */
	public static class Recycle {

		private static final String KEY = PREFIX + ".recycle";

		/**
		 * Most requests max-requests and max-requests-jitter allow: their sum stays far
		 * from overflow, and no worker serves that many.
		 */
		static final long MAX_REQUESTS = 1_000_000_000_000L;

		/**
		 * Smallest max-heap: below what any Spring Boot application keeps in use, so that
		 * every worker would recycle at its first collection (and {@code 512} without a
		 * unit is 512 bytes).
		 */
		static final DataSize MIN_HEAP = DataSize.ofMegabytes(16);

		/** Largest max-heap. */
		static final DataSize MAX_HEAP = DataSize.ofTerabytes(1);

		/**
		 * Shortest max-age: a worker boots in seconds, and one retired sooner spends its
		 * life replacing itself.
		 */
		static final Duration MIN_AGE = Duration.ofMinutes(1);

		/** Longest max-age. */
		static final Duration MAX_AGE = Duration.ofDays(365);

		/**
		 * Requests after which a worker is recycled (0 to 1000000000000). 0 turns this
		 * trigger off.
		 */
		private long maxRequests;

		/**
		 * Upper bound of a random number added to max-requests per worker, so that
		 * workers do not recycle together (0 to 1000000000000).
		 */
		private long maxRequestsJitter;

		/**
		 * Heap still in use after a garbage collection above which a worker is recycled
		 * (16MB to 1TB). Unset turns this trigger off.
		 */
		private @Nullable DataSize maxHeap;

		/**
		 * Age after which a worker is recycled (1m to 365d, and longer than
		 * jproc.heartbeat.interval, when the age is checked). Unset turns this trigger
		 * off.
		 */
		private @Nullable Duration maxAge;

		/**
		 * Maximum planned retirements running at once, from the replacement's spawn until
		 * it is ready (1 to 256). Retirements for a fatal error are never delayed.
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

		void validate(Heartbeat heartbeat) {
			PropertyChecks.range(KEY + ".max-requests", this.maxRequests, 0, MAX_REQUESTS);
			PropertyChecks.range(KEY + ".max-requests-jitter", this.maxRequestsJitter, 0, MAX_REQUESTS);
			PropertyChecks.size(KEY + ".max-heap", this.maxHeap, MIN_HEAP, MAX_HEAP, "no heap trigger");
			PropertyChecks.optionalDuration(KEY + ".max-age", this.maxAge, MIN_AGE, MAX_AGE, "no age trigger");
			if (this.maxAge != null && this.maxAge.compareTo(heartbeat.interval) <= 0) {
				throw PropertyChecks.invalid(KEY + ".max-age", this.maxAge,
						"must be longer than jproc.heartbeat.interval (" + PropertyChecks.format(heartbeat.interval)
								+ "), or every worker is recycled at its first heartbeat");
			}
			PropertyChecks.range(KEY + ".max-parallel", this.maxParallel, 1, WorkerCount.MAX);
		}

	}

	/**
	 * Rolling reloads of the whole pool.
	 */
	public static class Reload {

		private static final String KEY = PREFIX + ".reload";

		/**
		 * Workers replaced at once during a rolling reload (1 to 256).
		 */
		private int maxParallel = 1;

		/**
		 * Maximum time a new worker of a reload takes to become ready (1s to 1d). Past it
		 * the reload stops and the old workers keep serving.
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

		void validate() {
			PropertyChecks.range(KEY + ".max-parallel", this.maxParallel, 1, WorkerCount.MAX);
			PropertyChecks.duration(KEY + ".ready-timeout", this.readyTimeout, Duration.ofSeconds(1), MAX_TIMEOUT);
		}

	}

	/**
	 * The channel between master and workers.
	 */
	public static class Ipc {

		private static final String KEY = PREFIX + ".ipc";

		/** Longest request-timeout: a caller's thread waits this long at most. */
		static final Duration MAX_REQUEST_TIMEOUT = Duration.ofHours(1);

		/**
		 * Maximum time a worker waits for the master to answer a request (pool status,
		 * metrics) before it answers its caller with an error (1ms to 1h).
		 */
		private Duration requestTimeout = Duration.ofSeconds(5);

		/**
		 * Maximum time the master waits for each other worker's metrics when a Prometheus
		 * scrape gathers the whole pool. A worker later than this is left out of that
		 * scrape. From 1ms, and shorter than request-timeout.
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

		void validate() {
			PropertyChecks.duration(KEY + ".request-timeout", this.requestTimeout, Duration.ofMillis(1),
					MAX_REQUEST_TIMEOUT);
			PropertyChecks.duration(KEY + ".scrape-timeout", this.scrapeTimeout, Duration.ofMillis(1),
					MAX_REQUEST_TIMEOUT);
			if (this.scrapeTimeout.compareTo(this.requestTimeout) >= 0) {
				throw PropertyChecks.invalid(KEY + ".scrape-timeout", this.scrapeTimeout,
						"must be a duration from 1ms to shorter than jproc.ipc.request-timeout ("
								+ PropertyChecks.format(this.requestTimeout) + ")");
			}
		}

	}

	/**
	 * The {@code workers} health contributor and the {@code jproc.pool.*} meters, which
	 * read the pool's status from the master.
	 */
	public static class Health {

		private static final String KEY = PREFIX + ".health";

		/** Longest max-age: a pool status older than this says little about the pool. */
		static final Duration MAX_MAX_AGE = Duration.ofMinutes(1);

		/**
		 * Maximum age of the pool status a worker answers health probes and pool meters
		 * from (0 to 1m). An older status is refreshed by one request to the master that
		 * every concurrent caller shares, so probes cost the master at most one request
		 * per worker and per max-age, however many arrive. 0 asks for every probe, still
		 * shared by concurrent ones.
		 */
		private Duration maxAge = Duration.ofSeconds(1);

		/**
		 * Maximum time a health probe waits for the master when its pool status is older
		 * than max-age (1ms to jproc.ipc.request-timeout). Past it the probe answers at
		 * once from the last status, marked stale, while that is at most max-age +
		 * jproc.ipc.request-timeout old, else DOWN; the refresh goes on in the background
		 * for the next probe. Keep it below the probe's own timeout (Kubernetes: 1s by
		 * default).
		 */
		private Duration timeout = Duration.ofMillis(500);

		public Duration getMaxAge() {
			return this.maxAge;
		}

		public void setMaxAge(Duration maxAge) {
			this.maxAge = maxAge;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		void validate(Ipc ipc) {
			PropertyChecks.duration(KEY + ".max-age", this.maxAge, Duration.ZERO, MAX_MAX_AGE);
			PropertyChecks.duration(KEY + ".timeout", this.timeout, Duration.ofMillis(1), Ipc.MAX_REQUEST_TIMEOUT);
			if (this.timeout.compareTo(ipc.requestTimeout) > 0) {
				throw PropertyChecks.invalid(KEY + ".timeout", this.timeout,
						"must be a duration from 1ms to jproc.ipc.request-timeout ("
								+ PropertyChecks.format(ipc.requestTimeout)
								+ "): the master's answer is never awaited longer");
			}
		}

	}

	/**
	 * Application messages between workers ({@code JprocMessenger}).
	 */
	public static class Messaging {

		private static final String KEY = PREFIX + ".messaging";

		/** Largest payload accepted; the frame limit leaves room for JSON escaping. */
		static final long MAX_PAYLOAD_LIMIT = 4L * 1024 * 1024;

		/**
		 * Maximum size of one message's JSON payload, checked by the sender (1B to 4MB).
		 */
		private DataSize maxPayload = DataSize.ofMegabytes(1);

		/**
		 * Maximum number of application messages waiting for one destination: in each
		 * channel's outgoing queue and in each listener's incoming queue. When a queue is
		 * full, a send to that destination fails at once (outgoing) or the message is
		 * dropped, logged and counted (incoming); other destinations are not affected (1
		 * to 1000000).
		 */
		private int queueCapacity = 1024;

		/**
		 * Maximum time a leader that is asked to give up leadership waits for its
		 * leader-only work in progress to finish before it acknowledges anyway (1ms to
		 * 1h).
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

		void validate() {
			PropertyChecks.size(KEY + ".max-payload", this.maxPayload, DataSize.ofBytes(1),
					DataSize.ofBytes(MAX_PAYLOAD_LIMIT), null);
			PropertyChecks.range(KEY + ".queue-capacity", this.queueCapacity, 1, 1_000_000);
			PropertyChecks.duration(KEY + ".revoke-timeout", this.revokeTimeout, Duration.ofMillis(1),
					Duration.ofHours(1));
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
	 * The master process itself.
	 */
	public static class Master {

		private static final String KEY = PREFIX + ".master";

		/**
		 * Whether the master, once its sockets are bound, replaces its JVM (same pid,
		 * same sockets, same environment) by a small one that loads jproc's classes only:
		 * Serial GC, a heap sized for the message relay, C1 only. Its log lines keep
		 * Spring Boot's default console format, but a logging configuration of the
		 * application (logback.xml, logging.pattern.*) no longer applies to them. Set to
		 * false to keep the master in the application's JVM.
		 */
		private boolean lean = true;

		/**
		 * JVM options for the lean master, after jproc's own (so they win): a larger
		 * {@code -Xmx}, diagnostics such as {@code -XX:NativeMemoryTracking=summary}. One
		 * option per entry, each starting with '-'.
		 */
		private List<String> jvmArgs = new ArrayList<>();

		public List<String> getJvmArgs() {
			return this.jvmArgs;
		}

		public void setJvmArgs(List<String> jvmArgs) {
			this.jvmArgs = jvmArgs;
		}

		public boolean isLean() {
			return this.lean;
		}

		public void setLean(boolean lean) {
			this.lean = lean;
		}

		/**
		 * An entry that is not an option would become the lean JVM's main class, after
		 * the point where the master can fall back: refused at start.
		 */
		void validate() {
			PropertyChecks.jvmOptions(KEY + ".jvm-args", this.jvmArgs);
		}

	}

	/**
	 * Warm-up of each new worker and spare, through the application's own handler chain,
	 * before it takes connections.
	 */
	public static class Warmup {

		private static final String KEY = PREFIX + ".warmup";

		/** Warm-up requests per path by default: a few hundred, about a second. */
		static final int DEFAULT_REQUESTS = 500;

		/**
		 * Requests a new worker or spare sends to each warm-up path through the
		 * application's own handler chain, on a private loopback port, before it takes
		 * connections and reports ready (0 to 1000000), so that its first connections
		 * find the request path compiled. 0 turns warm-up off.
		 */
		private int requests = DEFAULT_REQUESTS;

		/**
		 * Paths the warm-up requests, each must start with '/', at least one when
		 * requests is above 0. GET requests: choose paths without side effects.
		 */
		private List<String> paths = new ArrayList<>(List.of("/"));

		/**
		 * Warm-up requests in flight at once (1 to 64).
		 */
		private int concurrency = 2;

		/**
		 * Longest time a warm-up may take; past it the worker reports ready anyway. From
		 * 1ms, and shorter than jproc.worker.boot-timeout, which the warm-up is part of.
		 */
		private Duration timeout = Duration.ofSeconds(10);

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

		void validate(Worker worker) {
			PropertyChecks.range(KEY + ".requests", this.requests, 0, 1_000_000);
			PropertyChecks.range(KEY + ".concurrency", this.concurrency, 1, 64);
			PropertyChecks.duration(KEY + ".timeout", this.timeout, Duration.ofMillis(1), MAX_TIMEOUT);
			PropertyChecks.paths(KEY + ".paths", this.paths);
			if (isEnabled() && this.paths.isEmpty()) {
				throw PropertyChecks.invalid(KEY + ".paths", this.paths,
						"must name at least one path, such as /, when jproc.warmup.requests is above 0");
			}
			if (isEnabled() && this.timeout.compareTo(worker.bootTimeout) >= 0) {
				throw PropertyChecks.invalid(KEY + ".timeout", this.timeout,
						"must be a duration from 1ms to shorter than jproc.worker.boot-timeout ("
								+ PropertyChecks.format(worker.bootTimeout)
								+ "), or a slow warm-up has its worker killed as a boot failure");
			}
		}

		/**
		 * Whether warm-up is on.
		 * @return {@code true} when requests are above 0
		 */
		public boolean isEnabled() {
			return this.requests > 0;
		}

	}

	/**
	 * The boot cache: Boot's extracted layout of the jar and a class archive (an AOT
	 * cache on JDK 25+, dynamic AppCDS before), prepared in the background once the pool
	 * is ready, from which later workers boot faster and lighter.
	 */
	public static class BootCache {

		private static final String KEY = PREFIX + ".boot-cache";

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
		 * port, so that the request path's classes are archived too. Each must start with
		 * '/'.
		 */
		private List<String> trainingPaths = new ArrayList<>(List.of("/"));

		/**
		 * Requests the training run sends to each training path (0 to 100000). 0 trains
		 * the start-up only.
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

		void validate() {
			PropertyChecks.range(KEY + ".training-requests", this.trainingRequests, 0, 100_000);
			PropertyChecks.paths(KEY + ".training-paths", this.trainingPaths);
		}

	}

}
