package io.jproc.master.launch;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.jproc.JprocProperties;
import io.jproc.WorkerEnvironment;
import io.jproc.ipc.Envelope;
import io.jproc.ipc.IpcChannel;
import io.jproc.ipc.MalformedFrameException;
import io.jproc.ipc.PoolStatus;
import io.jproc.ipc.Scoreboard;
import io.jproc.master.bootcache.BootCache;
import io.jproc.master.bootcache.BootCacheTraining;
import io.jproc.master.pool.WorkerFactory;
import io.jproc.master.process.CpuPriority;
import io.jproc.master.process.Durations;
import io.jproc.master.process.MasterEvent;
import io.jproc.master.process.Spawner;
import io.jproc.master.process.WorkerCommand;
import io.jproc.master.process.WorkerHandle;
import jnr.unixsocket.UnixSocketChannel;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Starts one worker: a socketpair for its channel, its command line and environment, the
 * spawn with exactly the shared sockets and its channel end inherited, a reader for the
 * channel and a watcher for its exit.
 */
public final class WorkerLauncher implements WorkerFactory {

	private static final Log logger = LogFactory.getLog(WorkerLauncher.class);

	static final int SERVER_FD = 3;

	static final int CHANNEL_FD = 4;

	static final int MANAGEMENT_FD = 5;

	/** The shared scoreboard's descriptor in a worker ({@code jproc.balance.*}). */
	static final int SCOREBOARD_FD = 6;

	private final JprocProperties properties;

	private final ListenSocket server;

	private final @Nullable ListenSocket management;

	private final Spawner spawner;

	private final Consumer<MasterEvent> events;

	private final List<String> argv;

	private final BootCache bootCache;

	/**
	 * The {@code nice} prefix of a spare's command line; empty unless the master can
	 * raise a spare back.
	 */
	private final List<String> spareNice;

	private final int ownNice;

	/**
	 * Environment variables that are the master's alone (systemd's), never a worker's.
	 */
	private final List<String> masterOnlyVariables;

	/** The master's environment, the base of each worker's. */
	private final Map<String, String> masterEnvironment;

	/** Every JVM option a worker sees, for its sizing. */
	private final List<String> seenOptions;

	/** The sizing in {@link #argv}: for the pool size the master started with. */
	private final WorkerSizing sizing;

	/**
	 * The master's descriptor of the scoreboard the workers share to spread connections,
	 * -1 when balancing is off or the board could not be made.
	 */
	private final int scoreboard;

	/** The pool size the last worker was sized for, to log a change once. */
	private int sizedFor;

	/**
	 * The workers started from the boot cache and still booting or running, with the
	 * archive each got. Loop thread only.
	 */
	private final Map<WorkerHandle, Path> fromBootCache = new HashMap<>();

	public WorkerLauncher(JprocProperties properties, ListenSocket server, @Nullable ListenSocket management,
			Spawner spawner, Consumer<MasterEvent> events, List<String> masterOnlyVariables) {
		this(properties, server, management, spawner, events, masterOnlyVariables, System.getenv());
	}

	WorkerLauncher(JprocProperties properties, ListenSocket server, @Nullable ListenSocket management, Spawner spawner,
			Consumer<MasterEvent> events, List<String> masterOnlyVariables, Map<String, String> masterEnvironment) {
		this.properties = properties;
		this.masterOnlyVariables = List.copyOf(masterOnlyVariables);
		this.masterEnvironment = Map.copyOf(masterEnvironment);
		this.server = server;
		this.management = management;
		this.spawner = spawner;
		this.events = events;
		this.seenOptions = seenOptions(properties);
		this.scoreboard = properties.getBalance().isEnabled() ? Scoreboard.create() : -1;
		if (properties.getBalance().isEnabled() && this.scoreboard < 0) {
			logger.warn("jproc: could not create the shared scoreboard in /dev/shm or the temporary directory; "
					+ "connections are not spread (jproc.balance.enabled)");
		}
		this.sizing = sizing(properties, this.seenOptions, properties.getWorkers().value());
		this.sizedFor = properties.getWorkers().value();
		logger.info("jproc: each worker is sized with " + this.sizing.describe());
		this.argv = WorkerCommand.current(extraJvmArgs(properties, this.seenOptions, this.sizing));
		Map<String, String> helperEnvironment = helperEnvironment(this.masterEnvironment, this.masterOnlyVariables);
		this.bootCache = BootCache.create(properties.getBootCache(), this.argv,
				new BootCache.Helpers(BootCacheTraining.Runner.of(spawner), trainingArgs(management != null),
						Map.copyOf(helperEnvironment), trainingEnvironment(properties, helperEnvironment)));
		this.ownNice = CpuPriority.ownNice();
		this.spareNice = (properties.getSpareWorkers() > 0 && CpuPriority.canRaiseBack())
				? CpuPriority.niced(CpuPriority.SPARE_NICE) : List.of();
		if (properties.getSpareWorkers() > 0) {
			String priority = (!this.spareNice.isEmpty()) ? "at nice " + CpuPriority.SPARE_NICE
					+ " (raised back when one takes a slot, or still boots at half of jproc.worker.boot-timeout)"
					: "at normal CPU priority: this master could not raise a niced spare back when it takes a "
							+ "slot (no CAP_SYS_NICE, RLIMIT_NICE too low)";
			logger.info("jproc: " + properties.getSpareWorkers() + " spare worker(s), booting " + priority);
		}
		logger.info("jproc boot cache: " + this.bootCache.state().name().toLowerCase(java.util.Locale.ROOT)
				+ ((this.bootCache.reason() != null) ? " (" + this.bootCache.reason() + ")" : ""));
	}

	/**
	 * The JVM options jproc adds for workers, then the user's: right-sizing unless the
	 * user chose (the user's options are seen wherever a worker sees them), and native
	 * access where the runtime restricts it.
	 * @param properties {@code jproc.*}
	 * @param seen every JVM option a worker sees
	 * @param sizing the sizing for the pool the master starts
	 * @return the options to add to the workers' command line
	 */
	private static List<String> extraJvmArgs(JprocProperties properties, List<String> seen, WorkerSizing sizing) {
		List<String> userArgs = properties.getWorker().getJvmArgs();
		List<String> extra = new ArrayList<>(sizing.options());
		extra.addAll(WorkerCommand.nativeAccess(Runtime.version().feature(), seen));
		if (properties.getWorker().isRightSize()) {
			extra.addAll(WorkerSizing.objectHeaders(Runtime.version().feature(), seen));
		}
		extra.addAll(WorkerCommand.channelAccess(seen));
		if (properties.getBootCache().isEnabled()) {
			extra.addAll(BootCache.sharingOptions(seen));
			extra.addAll(BootCache.profileOptions(Runtime.version().feature(), seen));
		}
		extra.addAll(userArgs);
		return extra;
	}

	private static List<String> seenOptions(JprocProperties properties) {
		List<String> seen = new ArrayList<>(
				WorkerCommand.jvmOptions(WorkerCommand.current(properties.getWorker().getJvmArgs())));
		seen.addAll(WorkerSizing.environmentOptions(System.getenv()));
		return List.copyOf(seen);
	}

	private static WorkerSizing sizing(JprocProperties properties, List<String> seen, int workers) {
		return properties.getWorker().isRightSize() ? WorkerSizing.choose(seen,
				Runtime.getRuntime().availableProcessors(), workers, properties.getSpareWorkers()) : WorkerSizing.off();
	}

	/**
	 * The command line of a worker that joins a pool of a size: the sizing options of the
	 * pool the master started with replaced by those of this size, so that after a scale
	 * a new worker takes its share of the pool it joins.
	 * @param argv the command line, sized for the pool the master started with
	 * @param poolSize the pool's number of slots now
	 * @return the command line
	 */
	List<String> sizedFor(List<String> argv, int poolSize) {
		if (this.sizing.options().isEmpty() || poolSize < 1) {
			return argv;
		}
		boolean asStarted = poolSize == this.properties.getWorkers().value();
		WorkerSizing resized = asStarted ? this.sizing : sizing(this.properties, this.seenOptions, poolSize);
		if (poolSize != this.sizedFor) {
			this.sizedFor = poolSize;
			logger.info("jproc: new workers join a pool of " + poolSize + " and are sized with " + resized.describe());
		}
		return asStarted ? argv : WorkerSizing.replace(argv, this.sizing, resized);
	}

	private static List<String> trainingArgs(boolean management) {
		List<String> args = new ArrayList<>(
				List.of("--jproc.workers=0", "--server.address=127.0.0.1", "--server.port=0"));
		if (management) {
			args.addAll(List.of("--management.server.address=127.0.0.1", "--management.server.port=0"));
		}
		return args;
	}

	/**
	 * The environment of the boot cache's helper processes (extraction, training run):
	 * the master's without systemd's variables, which are the master's alone.
	 * @param master the master's environment
	 * @param masterOnlyVariables the variables to remove
	 * @return the environment
	 */
	static Map<String, String> helperEnvironment(Map<String, String> master, List<String> masterOnlyVariables) {
		Map<String, String> environment = new LinkedHashMap<>(master);
		masterOnlyVariables.forEach(environment::remove);
		return environment;
	}

	/**
	 * The environment of the boot cache's training run.
	 * @param properties {@code jproc.*}
	 * @param base the helpers' environment ({@link #helperEnvironment})
	 * @return the environment
	 */
	static Map<String, String> trainingEnvironment(JprocProperties properties, Map<String, String> base) {
		Map<String, String> environment = new LinkedHashMap<>(base);
		environment.putAll(properties.getWorker().getEnvironment());
		environment.remove(WorkerEnvironment.BOOT_CACHE);
		environment.put(WorkerEnvironment.ROLE, WorkerEnvironment.TRAINING);
		environment.put(WorkerEnvironment.MASTER_PID, Long.toString(ProcessHandle.current().pid()));
		return environment;
	}

	@Override
	public void tookSlot(WorkerHandle worker) {
		if (this.spareNice.isEmpty()) {
			return;
		}
		int failed = CpuPriority.renice(worker.pid(), this.ownNice, this.spawner::setPriority);
		if (failed > 0) {
			logger.warn(worker + ": " + failed + " of its threads could not be set back to nice " + this.ownNice
					+ "; it serves at a lower CPU priority");
		}
	}

	@Override
	public void bootingLate(WorkerHandle spare, Duration booting) {
		if (this.spareNice.isEmpty()) {
			return;
		}
		int failed = CpuPriority.renice(spare.pid(), this.ownNice, this.spawner::setPriority);
		logger.info(spare + " still booting after " + Durations.seconds(booting) + " at nice " + CpuPriority.SPARE_NICE
				+ " (the serving workers keep the processors busy): raised to nice " + this.ownNice
				+ " so that it can be ready within jproc.worker.boot-timeout"
				+ ((failed > 0) ? "; " + failed + " of its threads could not be raised" : ""));
	}

	@Override
	public boolean ended(WorkerHandle worker, boolean bootFailure) {
		Path archive = this.fromBootCache.remove(worker);
		if (archive == null || !bootFailure) {
			return false;
		}
		this.bootCache.failedToBoot(archive, worker.toString());
		logger.warn(worker + " failed to boot from the boot cache: not counted as a boot failure; its slot starts "
				+ "a worker from the jar at once");
		return true;
	}

	@Override
	public void poolReady() {
		this.bootCache.poolReady();
	}

	@Override
	public PoolStatus.BootCache bootCache() {
		return this.bootCache.status();
	}

	@Override
	public void close() {
		this.bootCache.close();
	}

	List<String> argv() {
		return this.argv;
	}

	@Override
	public WorkerHandle launch(int id, long generation, int poolSize, Instant now) throws IOException {
		UnixSocketChannel[] pair = UnixSocketChannel.pair();
		try {
			Map<Integer, Integer> inherited = new LinkedHashMap<>();
			inherited.put(SERVER_FD, this.server.fd());
			inherited.put(CHANNEL_FD, pair[1].getFD());
			if (this.management != null) {
				inherited.put(MANAGEMENT_FD, this.management.fd());
			}
			if (this.scoreboard >= 0) {
				inherited.put(SCOREBOARD_FD, this.scoreboard);
			}
			BootCache.Launch launch = this.bootCache.launch();
			Map<String, String> environment = environment(id, generation);
			if (launch.archive() != null) {
				environment.put(WorkerEnvironment.BOOT_CACHE, launch.archive().toString());
			}
			List<String> argv = sizedFor(launch.argv(), poolSize);
			if (id == WorkerEnvironment.SPARE_ID && !this.spareNice.isEmpty()) {
				List<String> niced = new ArrayList<>(this.spareNice);
				niced.addAll(argv);
				argv = niced;
			}
			long pid = this.spawner.spawn(argv, environment, inherited);
			IpcChannel channel = IpcChannel.of(pair[0],
					(id == WorkerEnvironment.SPARE_ID) ? "spare #" + generation : "worker " + id);
			// A worker that takes none of our bytes for this long is hung (Retirements).
			channel.writeDeadline(this.properties.getHeartbeat().getTimeout());
			WorkerHandle worker = new WorkerHandle(id, pid, generation, now, channel);
			if (launch.archive() != null) {
				this.fromBootCache.put(worker, launch.archive());
			}
			channel.start(new Listener(worker));
			this.spawner.watch(pid,
					(status) -> this.events.accept(new MasterEvent.Exited(worker, Spawner.decode(status))));
			return worker;
		}
		catch (IOException | RuntimeException ex) {
			pair[0].close();
			throw ex;
		}
		finally {
			// A plain close(2): jnr's close() shuts the socket down first, which would
			// cut
			// the worker's copy of this end too.
			this.spawner.close(pair[1].getFD());
		}
	}

	private Map<String, String> environment(int id, long generation) {
		Map<String, String> environment = new LinkedHashMap<>(this.masterEnvironment);
		// systemd's variables are meant for the master (its main process) only.
		this.masterOnlyVariables.forEach(environment::remove);
		environment.putAll(this.properties.getWorker().getEnvironment());
		environment.put(WorkerEnvironment.ROLE, "worker");
		environment.put(WorkerEnvironment.WORKER_ID, Integer.toString(id));
		environment.put(WorkerEnvironment.WORKER_NUMBER, Long.toString(generation));
		environment.put(WorkerEnvironment.SERVER_FD, Integer.toString(SERVER_FD));
		environment.put(WorkerEnvironment.CHANNEL_FD, Integer.toString(CHANNEL_FD));
		environment.put(WorkerEnvironment.MASTER_PID, Long.toString(ProcessHandle.current().pid()));
		environment.remove(WorkerEnvironment.BOOT_CACHE);
		if (this.management != null) {
			environment.put(WorkerEnvironment.MANAGEMENT_FD, Integer.toString(MANAGEMENT_FD));
		}
		else {
			environment.remove(WorkerEnvironment.MANAGEMENT_FD);
		}
		if (this.scoreboard >= 0) {
			environment.put(WorkerEnvironment.SCOREBOARD_FD, Integer.toString(SCOREBOARD_FD));
		}
		else {
			environment.remove(WorkerEnvironment.SCOREBOARD_FD);
		}
		return environment;
	}

	private final class Listener implements IpcChannel.Listener {

		private final WorkerHandle worker;

		Listener(WorkerHandle worker) {
			this.worker = worker;
		}

		@Override
		public void onMessage(Envelope envelope) {
			WorkerLauncher.this.events.accept(new MasterEvent.Received(this.worker, envelope));
		}

		@Override
		public void onUnmatchedReply(Envelope envelope) {
			// Only a log line, no state: late scrape answers after their timeout land
			// here.
			logger.warn(this.worker + " sent " + envelope.message().getClass().getSimpleName()
					+ " answering nothing the master asked (late?); ignored");
		}

		@Override
		public void onMalformed(MalformedFrameException error) {
			WorkerLauncher.this.events.accept(new MasterEvent.Malformed(this.worker, error));
		}

		@Override
		public void onClosed() {
			WorkerLauncher.this.events.accept(new MasterEvent.ChannelClosed(this.worker));
		}

	}

}
