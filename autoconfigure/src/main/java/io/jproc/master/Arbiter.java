package io.jproc.master;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.jproc.ExitCodes;
import io.jproc.JprocProperties;
import io.jproc.ipc.Envelope;
import io.jproc.ipc.IpcChannel;
import io.jproc.ipc.Message;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The master's loop: one thread takes events from a queue and alone changes the pool.
 * It keeps the wanted number of workers, replaces those that fail with backoff, gives
 * up slots that keep failing, and shuts the pool down on SIGTERM or SIGINT.
 */
public final class Arbiter {

	private static final Log logger = LogFactory.getLog(Arbiter.class);

	private static final int SIGKILL = Retirements.SIGKILL;

	private static final Duration KILL_GRACE = Duration.ofSeconds(5);

	private static final long TICK_MILLIS = 200;

	private final JprocProperties properties;

	private final List<ListenSocket> sockets;

	private final BlockingQueue<MasterEvent> events = new LinkedBlockingQueue<>();

	private final Pool pool;

	private final Map<Class<? extends Message>, MessageHandler> handlers;

	private final Retirements retirements;

	private final PoolCommands commands;

	private final BootCache bootCache;

	private final Instant startedAt = Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());

	private MasterState state = MasterState.RUNNING;

	private boolean allReadyLogged;

	private @Nullable Instant shutdownStartedAt;

	private @Nullable Instant shutdownDeadline;

	private @Nullable Instant hardDeadline;

	private int shutdownExitCode = ExitCodes.OK;

	private @Nullable Integer exitCode;

	Arbiter(JprocProperties properties, ListenSocket server, @Nullable ListenSocket management, Spawner spawner) {
		this.properties = properties;
		this.sockets = (management != null) ? List.of(server, management) : List.of(server);
		WorkerLauncher launcher = new WorkerLauncher(properties, server, management, spawner, this.events::add);
		this.bootCache = launcher.bootCache(); // boot cache hook (issue 9)
		this.pool = new Pool(properties, launcher, spawner, () -> this.state == MasterState.RUNNING);
		this.retirements = new Retirements(properties, new PoolActions());
		this.commands = new PoolCommands(properties, this.pool);
		this.handlers = Map.of(Message.Ready.class, this::onReady, Message.Heartbeat.class, this::onHeartbeat,
				Message.Retire.class, this::onRetire, Message.Drained.class, this::onDrained,
				Message.PoolStatusRequest.class, this::onPoolStatusRequest, Message.PoolScrapeRequest.class,
				this::onPoolScrapeRequest, Message.Command.class, this::onCommand);
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
		MasterSignals.install(this.events::add);
		this.pool.slots().forEach(this.pool::spawn);
		while (this.exitCode == null) {
			try {
				MasterEvent event = this.events.poll(TICK_MILLIS, TimeUnit.MILLISECONDS);
				if (event != null) {
					handle(event);
				}
				tick(Instant.now());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				beginShutdown("interrupted");
			}
			catch (RuntimeException ex) {
				// What a worker sends or does must never end the master.
				logger.error("jproc master: unexpected error, continuing", ex);
			}
		}
		return this.exitCode;
	}

	private void handle(MasterEvent event) {
		if (event instanceof MasterEvent.Exited exited) {
			onExited(exited.worker(), exited.exit());
		}
		else if (event instanceof MasterEvent.Received received) {
			onReceived(received.worker(), received.envelope());
		}
		else if (event instanceof MasterEvent.Malformed malformed) {
			logger.warn(malformed.worker() + " sent a malformed frame"
					+ (malformed.error().isFatal() ? " and its channel is closed: " : ", ignored: ")
					+ malformed.error().getMessage());
			if (malformed.error().seq() > 0) {
				malformed.worker().channel().reply(malformed.error().seq(),
						new Message.Failure("malformed frame: " + malformed.error().getMessage()));
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

	private void onReceived(WorkerHandle worker, Envelope envelope) {
		MessageHandler handler = this.handlers.get(envelope.message().getClass());
		if (handler == null) {
			logger.warn(worker + " sent " + envelope.message().getClass().getSimpleName()
					+ ", which a master does not take; ignored");
			worker.channel().reply(envelope, new Message.Failure("the master does not take this message"));
			return;
		}
		handler.handle(worker, envelope);
	}

	private void onReady(WorkerHandle worker, Envelope envelope) {
		if (worker.state() != WorkerState.STARTING) {
			return;
		}
		Instant now = Instant.now();
		worker.ready(now, ((Message.Ready) envelope.message()).bootCacheUsed()); // boot cache hook (issue 9)
		this.pool.slotOf(worker).onReady();
		logger.info(worker + " ready in " + seconds(worker.bootTime()));
		this.commands.onReady(worker, now);
		this.retirements.onReady(worker, now);
		boolean allServing = this.pool.slots().stream().allMatch(this.pool::hasServingWorker);
		if (!this.allReadyLogged && allServing) {
			this.allReadyLogged = true;
			logger.info("all " + this.pool.slots().size() + " workers ready, " + seconds(Duration.between(this.startedAt, now))
					+ " after master start");
		}
		if (allServing && this.state == MasterState.RUNNING) {
			this.bootCache.poolReady(); // boot cache hook (issue 9): train in the background once the pool serves
		}
	}

	private void onCommand(WorkerHandle worker, Envelope envelope) {
		worker.channel()
			.reply(envelope, this.commands.execute((Message.Command) envelope.message(),
					"actuator via worker " + worker.id(), Instant.now()));
	}

	private void onHeartbeat(WorkerHandle worker, Envelope envelope) {
		worker.heartbeat(Instant.now(), (Message.Heartbeat) envelope.message());
	}

	private void onPoolStatusRequest(WorkerHandle worker, Envelope envelope) {
		worker.channel().reply(envelope, status(Instant.now()));
	}

	private void onPoolScrapeRequest(WorkerHandle requester, Envelope envelope) {
		Message.PoolScrapeRequest request = (Message.PoolScrapeRequest) envelope.message();
		List<WorkerHandle> others = this.pool.live().stream()
			.filter((worker) -> worker != requester && worker.state().isServing())
			.toList();
		ScrapeFanOut.gather(others, new Message.ScrapeRequest(request.format(), request.includedNames()),
				this.properties.getIpc().getScrapeTimeout(),
				(scrapes) -> this.events.add(new MasterEvent.ScrapeGathered(requester, envelope.seq(), scrapes)));
	}

	private void onScrapeGathered(MasterEvent.ScrapeGathered gathered) {
		IpcChannel channel = gathered.requester().channel();
		try {
			channel.reply(gathered.requestSeq(), new Message.PoolScrape(status(Instant.now()), gathered.scrapes()));
		}
		catch (IllegalArgumentException ex) {
			channel.reply(gathered.requestSeq(), new Message.Failure("the pool's metrics do not fit in one frame: "
					+ ex.getMessage() + "; narrow the scrape with includedNames"));
		}
	}

	/**
	 * The pool as it is now, for workers that ask.
	 */
	Message.PoolStatus status(Instant now) {
		return PoolSnapshot.take(now, PoolSnapshot.masterState(this.state, this.pool.slots()), this.startedAt,
				this.sockets, this.pool.slots(), this.pool.live(), this.commands.status(),
				this.bootCache.status()); // boot cache hook (issue 9)
	}

	private void onRetire(WorkerHandle worker, Envelope envelope) {
		if (this.state == MasterState.RUNNING) {
			this.retirements.onRetire(worker, (Message.Retire) envelope.message(), Instant.now());
		}
	}

	private void onDrained(WorkerHandle worker, Envelope envelope) {
		this.retirements.onDrained(worker, ((Message.Drained) envelope.message()).unfinished(), Instant.now());
	}

	private void onChannelClosed(WorkerHandle worker) {
		if (worker.state() != WorkerState.EXITED && !worker.isLeaving()) {
			logger.debug(worker + " closed its channel");
		}
	}

	private void onSignal(String name) {
		switch (name) {
			case "TERM" -> beginShutdown("SIGTERM");
			case "HUP" -> this.commands.reload("SIGHUP", Instant.now());
			case "TTIN" -> this.commands.scale(this.pool.slots().size() + 1, "SIGTTIN", Instant.now());
			case "TTOU" -> this.commands.scale(this.pool.slots().size() - 1, "SIGTTOU", Instant.now());
			case "INT" -> {
				if (this.state == MasterState.SHUTTING_DOWN) {
					logger.warn("second SIGINT: killing every worker now");
					this.pool.live().forEach((worker) -> this.pool.signal(worker.pid(), SIGKILL));
					finish(ExitCodes.INTERRUPTED);
				}
				else {
					beginShutdown("SIGINT");
				}
			}
			default -> logger.info("jproc master: SIG" + name + " ignored");
		}
	}

	private void onExited(WorkerHandle worker, Exit exit) {
		boolean bootFailure = worker.state() == WorkerState.STARTING && !worker.isLeaving();
		Instant now = Instant.now();
		worker.exited(exit);
		this.pool.live().remove(worker);
		worker.channel().close();
		String retired = this.retirements.onExited(worker, exit, now);
		String reason = (retired != null) ? retired : worker.isLeaving() ? worker.leaveReason()
				: (bootFailure ? "failed during boot" : "exited unexpectedly");
		String line = worker + " exited with " + exit + " after " + seconds(Duration.between(worker.spawnedAt(), now))
				+ " (" + reason + ")";
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
		if (this.commands.onExited(worker, exit, now)) {
			return;
		}
		Slot slot = this.pool.slotOf(worker);
		slot.recordExit(exit, reason, now);
		if (slot.current() == worker) {
			slot.current(null);
		}
		if (this.state != MasterState.RUNNING || worker.isLeaving()) {
			return;
		}
		respawn(slot, slot.onFailure(worker, bootFailure, now), now);
	}

	/**
	 * Start the slot's next worker after a failure, after its backoff, or give the slot up.
	 * @return the worker started now, if any
	 */
	private @Nullable WorkerHandle respawn(Slot slot, @Nullable Duration delay, Instant now) {
		if (delay == null) {
			logger.error("worker " + slot.id() + " given up after " + slot.gaveUpReason()
					+ "; its slot stays empty. See the worker's own output above for the cause.");
			if (this.pool.slots().stream().allMatch(Slot::gaveUp)) {
				logger.error("every worker slot has given up; the master stops with exit code " + ExitCodes.GAVE_UP);
				this.shutdownExitCode = ExitCodes.GAVE_UP;
				beginShutdown("every worker slot has given up");
			}
			return null;
		}
		if (slot.current() == null) {
			if (delay.isZero()) {
				return this.pool.spawn(slot);
			}
			logger.info("worker " + slot.id() + " restarts in " + seconds(delay) + " (backoff after "
					+ "quick failures)");
			slot.respawnAt(now.plus(delay));
		}
		return null;
	}

	private void tick(Instant now) {
		if (this.state == MasterState.RUNNING) {
			for (Slot slot : this.pool.slots()) {
				if (slot.respawnAt() != null && !now.isBefore(slot.respawnAt()) && slot.current() == null) {
					slot.respawnAt(null);
					this.pool.spawn(slot);
				}
			}
		}
		this.retirements.tick(List.copyOf(this.pool.live()), now, this.state == MasterState.RUNNING);
		this.commands.tick(now);
		for (WorkerHandle worker : List.copyOf(this.pool.live())) {
			if (worker.state() == WorkerState.STARTING && !worker.isLeaving() && Duration
				.between(worker.spawnedAt(), now)
				.compareTo(this.properties.getWorker().getBootTimeout()) > 0) {
				logger.warn(worker + " not ready within jproc.worker.boot-timeout ("
						+ seconds(this.properties.getWorker().getBootTimeout()) + "): killed");
				this.pool.signal(worker.pid(), SIGKILL);
			}
			if (worker.killAt() != null && now.isAfter(worker.killAt())) {
				logger.warn(worker + " did not exit in time after " + worker.leaveReason() + ": killed");
				worker.killAt(null);
				this.pool.signal(worker.pid(), SIGKILL);
			}
		}
		if (this.state == MasterState.SHUTTING_DOWN) {
			tickShutdown(now);
		}
	}

	private void tickShutdown(Instant now) {
		if (this.pool.live().isEmpty()) {
			finish(this.shutdownExitCode);
		}
		else if (this.hardDeadline == null && now.isAfter(this.shutdownDeadline)) {
			for (WorkerHandle worker : this.pool.live()) {
				logger.warn(worker + " still running after jproc.shutdown-timeout ("
						+ seconds(this.properties.getShutdownTimeout()) + "): killed");
				this.pool.signal(worker.pid(), SIGKILL);
			}
			this.hardDeadline = now.plus(KILL_GRACE);
		}
		else if (this.hardDeadline != null && now.isAfter(this.hardDeadline)) {
			logger.error(this.pool.live().size() + " workers did not go away even after SIGKILL");
			finish(this.shutdownExitCode);
		}
	}

	private void beginShutdown(String why) {
		if (this.state == MasterState.SHUTTING_DOWN) {
			return;
		}
		Instant now = Instant.now();
		this.state = MasterState.SHUTTING_DOWN;
		this.bootCache.close(); // boot cache hook (issue 9)
		this.shutdownStartedAt = now;
		this.shutdownDeadline = now.plus(this.properties.getShutdownTimeout());
		logger.info("shutdown begun (" + why + "): draining " + this.pool.live().size() + " workers, at most "
				+ seconds(this.properties.getShutdownTimeout()));
		this.pool.slots().forEach((slot) -> slot.respawnAt(null));
		this.retirements.dropWaiting();
		this.commands.abandon(now);
		for (WorkerHandle worker : this.pool.live()) {
			this.pool.stop(worker, "shutdown", null);
		}
	}

	private void finish(int code) {
		this.bootCache.close(); // boot cache hook (issue 9): no training run outlives the master
		this.sockets.forEach(ListenSocket::close);
		if (this.shutdownStartedAt != null) {
			logger.info("shutdown complete in " + seconds(Duration.between(this.shutdownStartedAt, Instant.now()))
					+ ", exit code " + code);
		}
		this.exitCode = code;
	}

	static String seconds(Duration duration) {
		return String.format(java.util.Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
	}

	/** How retirements start replacements and signal workers. */
	private final class PoolActions implements Retirements.Pool {

		@Override
		public @Nullable WorkerHandle replace(WorkerHandle leaving, boolean failure, Instant now) {
			Slot slot = Arbiter.this.pool.slotOf(leaving);
			if (slot.current() != leaving) {
				return null;
			}
			slot.current(null);
			if (!failure) {
				slot.onPlannedReplacement();
				return Arbiter.this.pool.spawn(slot);
			}
			return respawn(slot, slot.onFailure(leaving, false, now), now);
		}

		@Override
		public boolean isGivenUp(WorkerHandle worker) {
			return Arbiter.this.pool.slotOf(worker).gaveUp();
		}

		@Override
		public void signal(long pid, int signal) {
			Arbiter.this.pool.signal(pid, signal);
		}

	}

	/** Handles one message type from a worker. */
	@FunctionalInterface
	private interface MessageHandler {

		void handle(WorkerHandle worker, Envelope envelope);

	}

	/** The master's own state. */
	public enum MasterState {

		/** Keeping the pool at its wanted size. */
		RUNNING,

		/** Draining every worker before exiting. */
		SHUTTING_DOWN

	}

}
