package io.jproc.master;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.jproc.ExitCodes;
import io.jproc.JprocProperties;
import io.jproc.ipc.Envelope;
import io.jproc.ipc.Message;
import io.jproc.ipc.MessageChannel;
import io.jproc.ipc.PoolStatus;
import io.jproc.master.flows.PoolCommands;
import io.jproc.master.flows.Retirements;
import io.jproc.master.launch.ListenSocket;
import io.jproc.master.launch.WorkerLauncher;
import io.jproc.master.pool.MasterState;
import io.jproc.master.pool.Pool;
import io.jproc.master.pool.Slot;
import io.jproc.master.pool.SlotLosses;
import io.jproc.master.pool.WorkerFactory;
import io.jproc.master.process.Durations;
import io.jproc.master.process.Exit;
import io.jproc.master.process.FatalErrors;
import io.jproc.master.process.MasterEvent;
import io.jproc.master.process.Signaller;
import io.jproc.master.process.Spawner;
import io.jproc.master.process.WorkerHandle;
import io.jproc.master.process.WorkerState;
import io.jproc.master.relay.MessageRelay;
import io.jproc.master.relay.ScrapeFanOut;
import io.jproc.master.systemd.JarWatch;
import io.jproc.master.systemd.PoolLifecycle;
import io.jproc.master.systemd.SystemdNotifier;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The master's loop: one thread takes events from a queue and alone changes the pool.
 * Each event is handled, then one tick runs: deadlines, the running operation, and the
 * pool's reconciling step, which alone starts workers. It keeps the wanted number of
 * workers, replaces those that fail with backoff, gives up slots that keep failing, and
 * shuts the pool down on SIGTERM or SIGINT. Time comes from an injected {@link Clock},
 * and workers from a {@link WorkerFactory}, so the unit tests drive it event by event.
 */
public final class Arbiter {

	private static final Log logger = LogFactory.getLog(Arbiter.class);

	private static final long TICK_MILLIS = 200;

	/**
	 * Ticks failing in a row past which the loop no longer keeps the pool (at least 20 s
	 * of ticks) and the master ends, rather than live on without its loop.
	 */
	static final int MAX_FAILED_TICKS = 100;

	private final JprocProperties properties;

	private final Clock clock;

	private final List<ListenSocket> sockets;

	private final LoopQueue events;

	private final Pool pool;

	private final Dispatch dispatch;

	private final Retirements retirements;

	private final PoolCommands commands;

	// systemd notifications, listeners closed at shutdown, jar watch
	private final PoolLifecycle lifecycle;

	// application messages and leadership
	private final MessageRelay relay;

	private final WorkerFactory workers;

	private final Instant startedAt;

	private boolean allReadyLogged;

	private final SlotLosses losses;

	private final Shutdown shutdown;

	/** Why the master ends on purpose, {@code null} while it need not. */
	private volatile @Nullable String failure;

	private final MalformedFrames malformedFrames = new MalformedFrames();

	/** What the master says of the signals it cannot see. */
	private List<String> signalWarnings = List.of();

	/** Ticks that failed since the last that did not. */
	private int failedTicks;

	// What workers asked about the pool: one loop event each (issue 21: health and
	// scrapes must cost the loop nothing per request, so these grow slowly under a
	// flood).
	private long statusQueries;

	private long scrapeQueries;

	Arbiter(JprocProperties properties, ListenSocket server, @Nullable ListenSocket management, Spawner spawner) {
		this(properties, (management != null) ? List.of(server, management) : List.of(server), new LoopQueue(),
				Clock.systemUTC(),
				(events) -> new WorkerLauncher(properties, server, management, spawner, events,
						PoolLifecycle.MASTER_ONLY_VARIABLES),
				(pid, signal) -> spawner.kill(pid, signal.number()),
				Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime()),
				new PoolLifecycle((management != null) ? List.of(server, management) : List.of(server),
						SystemdNotifier.from(System.getenv(), ProcessHandle.current().pid()),
						JarWatch.forCurrentProcess()));
		// A reaper that cannot go on ends the master: nobody would see a worker end.
		spawner.onFatal((ex) -> fail("the reaper thread failed", ex));
	}

	Arbiter(JprocProperties properties, List<ListenSocket> sockets, LoopQueue events, Clock clock,
			java.util.function.Function<java.util.function.Consumer<MasterEvent>, WorkerFactory> factory,
			Signaller signaller, Instant startedAt, PoolLifecycle lifecycle) {
		this.properties = properties;
		this.clock = clock;
		this.sockets = sockets;
		this.events = events;
		this.startedAt = startedAt;
		this.lifecycle = lifecycle;
		// Application messages bypass the arbiter's queue: the relay takes them on the
		// channel readers' threads.
		this.relay = new MessageRelay(properties);
		// Every message a worker sends, and the thread that handles it.
		this.dispatch = Dispatch.builder()
			.reader(Message.AppMessage.class, this.relay::relay)
			.reader(Message.GatherRequest.class, this.relay::relay)
			.loop(Message.Ready.class, this::onReady)
			.loop(Message.Heartbeat.class, this::onHeartbeat)
			.loop(Message.Retire.class, this::onRetire)
			.loop(Message.Drained.class, this::onDrained)
			.loop(Message.PoolStatusRequest.class, this::onPoolStatusRequest)
			.loop(Message.PoolScrapeRequest.class, this::onPoolScrapeRequest)
			.loop(Message.Command.class, this::onCommand)
			.loop(Message.RevokeAck.class, this.relay::onRevokeAck)
			.loop(Message.Yield.class, this.relay::onYield)
			.loop(Message.LogLevelChange.class, this.relay::onLogLevelChange)
			.build();
		this.workers = factory.apply(this.dispatch.readerSide(events::add));
		this.pool = new Pool(properties, this.workers, signaller);
		this.losses = new SlotLosses(this.pool, this::everySlotGaveUp);
		this.retirements = new Retirements(properties, this.losses);
		this.commands = new PoolCommands(properties, this.pool, this::running);
		this.shutdown = new Shutdown(properties, this.pool, this.workers, this.retirements, this.commands, lifecycle,
				sockets, clock);
	}

	/**
	 * Start the workers and run until the pool is shut down.
	 * @return the master's exit code, see {@link ExitCodes}
	 */
	int run() {
		for (ListenSocket socket : this.sockets) {
			logger.info("jproc master (pid " + ProcessHandle.current().pid() + ") listening on " + socket.describe()
					+ " (" + socket.name() + "), starting " + this.pool.slots().size() + " workers");
		}
		signalsIgnored(MasterSignals.install(this.events::add));
		start();
		while (exitCode() == null) {
			MasterEvent event = null;
			try {
				event = this.events.poll(TICK_MILLIS, TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				beginShutdown("interrupted");
			}
			catch (Throwable ex) {
				// The tick still runs, and counts its failures.
				survive("waiting for an event", ex);
			}
			step(event);
		}
		return exitCode();
	}

	/**
	 * Some of the signals the master relies on are ignored in this process and will never
	 * reach it: one warning now, and in {@code /actuator/workers} for as long as it runs.
	 * @param ignored the signals' names, without SIG
	 */
	void signalsIgnored(List<String> ignored) {
		String warning = MasterSignals.warning(ignored);
		if (warning != null) {
			logger.warn(warning);
			this.signalWarnings = List.of(warning);
		}
	}

	/**
	 * Start the first workers.
	 */
	void start() {
		tick(now());
	}

	/**
	 * One turn of the loop: handle an event, if any, then tick.
	 * @param event the event, {@code null} when the wait for one ran out
	 */
	void step(@Nullable MasterEvent event) {
		if (event != null) {
			try {
				handle(event);
			}
			catch (Throwable ex) {
				// What a worker sends or does must never end the master: the event is
				// lost, the tick below runs.
				survive("handling " + describe(event), ex);
			}
		}
		try {
			Instant now = now();
			tick(now);
			// Leadership follows the workers that are ready, leaving or gone.
			this.relay.reconcile(this.pool.slots().stream().map(Slot::id).toList(), this.pool.members(), running(),
					now);
			// Ready, reloading, status and the watchdog: sent from the loop itself, so a
			// stuck loop stops the watchdog.
			this.lifecycle.tick(status(now), now);
			this.failedTicks = 0;
		}
		catch (Throwable ex) {
			if (survive("its tick", ex) && ++this.failedTicks >= MAX_FAILED_TICKS) {
				fail("its tick failed " + this.failedTicks + " times in a row: the loop no longer keeps the pool", ex);
			}
		}
	}

	/**
	 * Log what a step threw, and end the master if it cannot be survived
	 * ({@link FatalErrors}).
	 * @param during what the loop was doing
	 * @param ex what it threw
	 * @return whether the master goes on
	 */
	private boolean survive(String during, Throwable ex) {
		if (FatalErrors.isFatal(ex)) {
			fail("the loop failed " + during, ex);
			return false;
		}
		try {
			logger.error("jproc master: unexpected error " + during + ", continuing", ex);
		}
		catch (Throwable logging) {
			// Nothing more can be said.
		}
		return true;
	}

	/**
	 * End the master on purpose with {@link ExitCodes#MASTER_FAILED}: the loop stops
	 * after this step, {@link #run} returns the code. Any thread may call it (the reaper
	 * does, through {@link Spawner#onFatal}).
	 * @param why what failed
	 * @param ex what was thrown
	 */
	void fail(String why, Throwable ex) {
		if (this.failure == null) {
			this.failure = why;
		}
		try {
			logger.error("jproc master: " + why + "; the master ends with exit code " + ExitCodes.MASTER_FAILED
					+ " (its workers drain and leave by themselves)", ex);
		}
		catch (Throwable logging) {
			// Out of memory, probably: the exit code says it.
		}
	}

	private static String describe(MasterEvent event) {
		return (event instanceof MasterEvent.Received received)
				? received.envelope().message().getClass().getSimpleName() + " from " + received.worker()
				: event.getClass().getSimpleName();
	}

	/**
	 * The exit code once the loop has ended.
	 * @return the code, {@code null} while the master runs
	 */
	@Nullable Integer exitCode() {
		return (this.failure != null) ? Integer.valueOf(ExitCodes.MASTER_FAILED) : this.shutdown.exitCode();
	}

	Pool pool() {
		return this.pool;
	}

	Dispatch dispatch() {
		return this.dispatch;
	}

	MasterState state() {
		return this.shutdown.begun() ? MasterState.SHUTTING_DOWN : MasterState.RUNNING;
	}

	private boolean running() {
		return !this.shutdown.begun();
	}

	private Instant now() {
		return this.clock.instant();
	}

	private void handle(MasterEvent event) {
		if (event instanceof MasterEvent.Exited exited) {
			onExited(exited.worker(), exited.exit());
		}
		else if (event instanceof MasterEvent.Received received) {
			this.dispatch.onLoop(received.worker(), received.envelope());
		}
		else if (event instanceof MasterEvent.Malformed malformed) {
			String line = this.malformedFrames.onMalformed(malformed.worker(), malformed.error());
			if (line != null) {
				logger.warn(line);
			}
			if (malformed.error().seq() > 0) {
				malformed.worker()
					.channel()
					.reply(malformed.error().seq(),
							new Message.Failure("malformed frame: " + MalformedFrames.describe(malformed.error())));
			}
		}
		else if (event instanceof MasterEvent.ChannelClosed closed) {
			onChannelClosed(closed.worker());
		}
		else if (event instanceof MasterEvent.SignalReceived signal) {
			onSignal(signal.name());
		}
		else if (event instanceof MasterEvent.ScrapeGathered gathered) {
			onScrapeGathered(gathered);
		}
	}

	private void onReady(WorkerHandle worker, Envelope envelope) {
		if (worker.state() != WorkerState.STARTING) {
			return;
		}
		Instant now = now();
		worker.ready(now, ((Message.Ready) envelope.message()).bootCacheUsed());
		if (this.pool.spares().contains(worker)) {
			this.pool.spares().ready(worker);
			logger.info(worker + " ready in " + Durations.seconds(worker.bootTime()) + ", waiting as a spare");
			return;
		}
		logger.info(worker + " ready in " + Durations.seconds(worker.bootTime()));
		takeOver(worker, now);
	}

	/**
	 * A ready worker takes its slot over: the worker it replaces leaves, a retirement
	 * waiting for it goes on.
	 * @param worker the ready worker, just ready or a ready spare that took the slot
	 * @param now the time
	 */
	private void takeOver(WorkerHandle worker, Instant now) {
		Pool.Promotion promotion = this.pool.promote(worker);
		if (promotion == null) {
			// Stopped while it booted (scale-down, shutdown): it drains as soon as it
			// reads the stop.
			if (!worker.isLeaving()) {
				this.pool.stop(worker, "no longer wanted", this.pool.drainDeadline(now));
			}
			return;
		}
		WorkerHandle replaced = promotion.replaced();
		if (replaced != null && replaced.state() == WorkerState.READY) {
			this.pool.stop(replaced, promotion.reason().wireName(), this.pool.drainDeadline(now));
		}
		this.retirements.onReady(worker, now);
		if (!this.allReadyLogged && this.pool.isComplete()) {
			this.allReadyLogged = true;
			logger.info("all " + this.pool.slots().size() + " workers ready, "
					+ Durations.seconds(Duration.between(this.startedAt, now)) + " after master start");
		}
		if (this.pool.isComplete() && running()) {
			this.workers.poolReady(); // boot cache hook (issue 9): train in the
										// background once the pool serves
		}
	}

	private void onCommand(WorkerHandle worker, Envelope envelope) {
		worker.channel()
			.reply(envelope, this.commands.execute((Message.Command) envelope.message(),
					"actuator via worker " + worker.id(), now()));
	}

	private void onHeartbeat(WorkerHandle worker, Envelope envelope) {
		worker.heartbeat(now(), (Message.Heartbeat) envelope.message());
	}

	private void onPoolStatusRequest(WorkerHandle worker, Envelope envelope) {
		this.statusQueries++;
		worker.channel().reply(envelope, status(now()));
	}

	private void onPoolScrapeRequest(WorkerHandle requester, Envelope envelope) {
		Message.PoolScrapeRequest request = (Message.PoolScrapeRequest) envelope.message();
		this.scrapeQueries++;
		List<WorkerHandle> others = this.pool.live()
			.stream()
			.filter((worker) -> worker != requester && worker.state().isServing())
			.toList();
		ScrapeFanOut.gather(others, new Message.ScrapeRequest(request.format(), request.includedNames()),
				this.properties.getIpc().getScrapeTimeout(),
				(scrapes) -> this.events.add(new MasterEvent.ScrapeGathered(requester, envelope.seq(), scrapes)));
	}

	private void onScrapeGathered(MasterEvent.ScrapeGathered gathered) {
		MessageChannel channel = gathered.requester().channel();
		try {
			channel.reply(gathered.requestSeq(), new Message.PoolScrape(status(now()), gathered.scrapes()));
		}
		catch (IllegalArgumentException ex) {
			channel.reply(gathered.requestSeq(), new Message.Failure("the pool's metrics do not fit in one frame: "
					+ ex.getMessage() + "; narrow the scrape with includedNames"));
		}
	}

	/**
	 * The pool as it is now, for workers that ask.
	 * @param now the time
	 * @return the pool's status
	 */
	PoolStatus status(Instant now) {
		PoolStatus status = PoolSnapshot.take(now, PoolSnapshot.masterState(state(), this.pool.slots()), this.startedAt,
				this.sockets, this.pool.slots(), this.commands.status(), warnings(), this.workers.bootCache(),
				this.pool.spares());
		return new PoolStatus(status.takenAt(), status.master(), status.slots(), this.relay.status(), status.spares(),
				new PoolStatus.Queries(this.statusQueries, this.scrapeQueries));
	}

	private List<String> warnings() {
		List<String> lifecycle = this.lifecycle.warnings();
		if (this.signalWarnings.isEmpty()) {
			return lifecycle;
		}
		List<String> all = new java.util.ArrayList<>(this.signalWarnings);
		all.addAll(lifecycle);
		return all;
	}

	private void onRetire(WorkerHandle worker, Envelope envelope) {
		if (this.pool.spares().contains(worker)) {
			// A spare serves nothing: it leaves at once, and a new one boots.
			if (!worker.isLeaving()) {
				logger.info(worker + " asks to be replaced (" + ((Message.Retire) envelope.message()).reason()
						+ "): a spare serves nothing, it leaves now");
				this.pool.stop(worker, "retired spare", this.pool.drainDeadline(now()));
			}
			return;
		}
		if (running()) {
			this.retirements.onRetire(worker, (Message.Retire) envelope.message(), now());
		}
	}

	private void onDrained(WorkerHandle worker, Envelope envelope) {
		this.retirements.onDrained(worker, ((Message.Drained) envelope.message()).unfinished(), now());
	}

	private void onChannelClosed(WorkerHandle worker) {
		if (worker.state() != WorkerState.EXITED && !worker.isLeaving()) {
			logger.debug(worker + " closed its channel");
		}
	}

	private void onSignal(String name) {
		Instant now = now();
		switch (name) {
			case "TERM" -> beginShutdown("SIGTERM");
			case "HUP" -> this.commands.reload("SIGHUP", now);
			case "USR2" -> this.lifecycle.onUsr2();
			case "TTIN" -> this.commands.scale(this.pool.slots().size() + 1, "SIGTTIN", now);
			case "TTOU" -> this.commands.scale(this.pool.slots().size() - 1, "SIGTTOU", now);
			case "INT" -> {
				if (this.shutdown.begun()) {
					this.shutdown.killNow(now);
				}
				else {
					beginShutdown("SIGINT");
				}
			}
			default -> logger.info("jproc master: SIG" + name + " ignored");
		}
	}

	private void onExited(WorkerHandle worker, Exit exit) {
		boolean bootFailure = SlotLosses.isBootFailure(worker);
		Instant now = now();
		worker.exited(exit);
		worker.channel().close();
		this.malformedFrames.forget(worker);
		// A boot failure from the boot cache abandons the cache and does not count.
		boolean counts = !this.workers.ended(worker, bootFailure);
		Pool.Ended ended = this.pool.ended(worker, counts, now);
		String retired = this.retirements.onExited(worker, exit, now);
		String reason = (retired != null) ? retired : worker.isLeaving() ? worker.leaveReason()
				: (bootFailure ? "failed during boot" : "exited unexpectedly");
		String line = worker + " exited with " + exit + " after "
				+ Durations.seconds(Duration.between(worker.spawnedAt(), now)) + " (" + reason + ")";
		if (retired != null) {
			// The retirement's own line says it all, once the replacement is ready too.
			logger.debug(line);
		}
		else if (worker.isLeaving() && exit.code() == ExitCodes.OK) {
			logger.info(line);
		}
		else {
			logger.warn(line);
		}
		Slot slot = ended.slot();
		if (slot == null) {
			return;
		}
		slot.recordExit(exit, reason, now);
		if (counts) {
			// A reload goes on when a worker failed to boot from the abandoned cache.
			this.commands.onEnded(worker, ended, exit, now);
		}
		if (running()) {
			this.losses.onExited(worker, ended, bootFailure, counts, now);
		}
	}

	private void everySlotGaveUp() {
		logger.error("every worker slot has given up; the master stops with exit code " + ExitCodes.GAVE_UP);
		this.shutdown.begin("every worker slot has given up", ExitCodes.GAVE_UP, now());
	}

	private void tick(Instant now) {
		boolean running = running();
		this.retirements.tick(List.copyOf(this.pool.live()), now, running);
		for (WorkerHandle killed : this.pool.killOverdue(now)) {
			this.retirements.onKilled(killed, now);
		}
		if (running) {
			this.commands.tick(now);
		}
		for (WorkerHandle started : this.pool.reconcile(now, running)) {
			this.retirements.onSpawned(started);
			if (started.state() == WorkerState.READY) {
				// A ready spare took the slot: it accepts now.
				takeOver(started, now);
			}
		}
		// The time again: what came before in this tick may have taken long.
		this.shutdown.tick(now());
	}

	private void beginShutdown(String why) {
		this.shutdown.begin(why, ExitCodes.OK, now());
	}

}
