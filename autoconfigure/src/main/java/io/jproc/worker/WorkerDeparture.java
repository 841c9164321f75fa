package io.jproc.worker;

import java.time.Duration;
import java.util.function.IntConsumer;

import io.jproc.ExitCodes;
import io.jproc.JprocProperties;
import io.jproc.ipc.Message;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * How this worker leaves: asked by the master ({@link Message.Stop}), by
 * {@link SelfRetirement}, or because the master is gone (end of stream on the channel),
 * so that no orphan keeps serving on the shared port. It stops accepting, tells its
 * long-lived connections to go away after {@code jproc.long-lived-grace}
 * ({@link LongLivedConnections}), lets in-flight requests finish within
 * {@code jproc.drain-timeout} (Boot's graceful shutdown, whose end {@link DrainReporter}
 * reports through {@link #drained(long)}), then exits the JVM; a worker not ready yet has
 * nothing to drain and leaves through its {@link BootExit}. It also closes the inherited
 * sockets when the master says the pool is shutting down
 * ({@link Message.CloseListeners}).
 */
final class WorkerDeparture {

	private static final Log logger = LogFactory.getLog(WorkerDeparture.class);

	/** Time between pausing accept and starting Boot's graceful shutdown. */
	static final Duration SETTLE = Duration.ofMillis(250);

	private final WorkerIdentity identity;

	private final MasterLink link;

	private final WorkerReadiness readiness;

	private final WorkerServer server;

	private final Duration drainTimeout;

	private final LongLivedConnections longLived;

	private final Duration longLivedGrace;

	private final ConfigurableApplicationContext context;

	private final BootExit bootExit;

	private final IntConsumer exit;

	WorkerDeparture(WorkerIdentity identity, MasterLink link, WorkerReadiness readiness, WorkerServer server,
			Duration drainTimeout, LongLivedConnections longLived, Duration longLivedGrace,
			ConfigurableApplicationContext context, BootExit bootExit) {
		this(identity, link, readiness, server, drainTimeout, longLived, longLivedGrace, context, bootExit,
				System::exit);
	}

	/**
	 * Create the departure, with the way to end the process.
	 * @param identity this worker's identity
	 * @param link the channel to the master
	 * @param readiness this worker's readiness, which records that it leaves
	 * @param server this worker's server
	 * @param drainTimeout {@code jproc.drain-timeout}, for the log
	 * @param longLived the long-lived connections, told to go away after their grace
	 * @param longLivedGrace {@code jproc.long-lived-grace}
	 * @param context the application context, closed on the way out
	 * @param bootExit how the worker leaves before it is ready
	 * @param exit ends the process with an exit code once the context is closed
	 * ({@link System#exit} but in tests)
	 */
	WorkerDeparture(WorkerIdentity identity, MasterLink link, WorkerReadiness readiness, WorkerServer server,
			Duration drainTimeout, LongLivedConnections longLived, Duration longLivedGrace,
			ConfigurableApplicationContext context, BootExit bootExit, IntConsumer exit) {
		this.identity = identity;
		this.link = link;
		this.readiness = readiness;
		this.server = server;
		this.drainTimeout = drainTimeout;
		this.longLived = longLived;
		this.longLivedGrace = longLivedGrace;
		this.context = context;
		this.bootExit = bootExit;
		this.exit = exit;
		link.handle(Message.Stop.class,
				(envelope, stop) -> leave("asked by the master: " + stop.reason(), ExitCodes.OK));
		link.handle(Message.CloseListeners.class, (envelope, message) -> server.closeInherited());
		link.whenGone(() -> leave("the master is gone", ExitCodes.MASTER_GONE));
	}

	/**
	 * Whether this worker is on its way out.
	 * @return {@code true} once leaving has begun
	 */
	boolean isLeaving() {
		return this.readiness.isLeaving();
	}

	/**
	 * Stop accepting, let in-flight requests finish within {@code jproc.drain-timeout}
	 * (Boot's graceful shutdown), then exit the JVM. Only the first call has an effect.
	 * @param reason why, for the log
	 * @param exitCode the exit code
	 */
	void leave(String reason, int exitCode) {
		if (!this.readiness.beginLeaving()) {
			return;
		}
		this.link.closeOnDestroy();
		Thread leaver = new Thread(() -> {
			if (!this.readiness.isReady()) {
				this.bootExit.leave(reason, exitCode);
				return;
			}
			this.readiness.refuseTraffic();
			if (this.server.isHeld()) {
				logger
					.info(this.identity.label() + " leaving (" + reason + "): it never took a slot, nothing to drain");
			}
			else {
				logger.info(this.identity.label() + " leaving (" + reason
						+ "): stopped accepting, draining for at most " + this.drainTimeout.toSeconds() + " s");
			}
			this.server.pauseAccepting();
			settle();
			sendLongLivedAway();
			// Logged by drained(): once the context is closed, Boot has stopped the
			// logging system.
			this.exit.accept(SpringApplication.exit(this.context, () -> exitCode));
		}, "jproc-leave");
		leaver.start();
	}

	/**
	 * The drain of a leaving worker is over (Boot's graceful shutdown has finished or
	 * reached its deadline): tell the master, and log it while the logging system still
	 * runs, since it stops with the context that is closing.
	 * @param unfinished the requests still in flight, cut off by the deadline
	 */
	void drained(long unfinished) {
		this.link.send(new Message.Drained(unfinished));
		logger.info(this.identity.label() + ((unfinished == 0) ? " drained, exiting"
				: " drain deadline reached with " + unfinished + " requests in flight, exiting"));
	}

	/**
	 * Give the long-lived connections {@code jproc.long-lived-grace} to end by
	 * themselves, then tell the rest to go away (1001 to a WebSocket, the end of an event
	 * stream) and wait a little for them to close, so that the drain that follows waits
	 * only for ordinary requests.
	 */
	private void sendLongLivedAway() {
		int open = this.longLived.count();
		if (open == 0) {
			// Opened from now on, they are told to go away at once.
			this.longLived.sendAway();
			return;
		}
		try {
			logger.info(this.identity.label() + " has " + open + " long-lived connections ("
					+ this.longLived.count("websocket") + " WebSocket, " + this.longLived.count("event-stream")
					+ " event streams); telling them to go away in " + this.longLivedGrace.toMillis() + " ms");
			this.longLived.awaitNone(this.longLivedGrace);
			int told = this.longLived.sendAway();
			boolean closed = this.longLived.awaitNone(JprocProperties.LONG_LIVED_CLOSE);
			logger.info(this.identity.label() + " told " + told + " long-lived connections to go away; "
					+ (closed ? "all closed" : this.longLived.count() + " still open, left to the drain"));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Let connections accepted just before the pause deliver their first request. Boot's
	 * graceful shutdown closes connections that have no request in progress as idle; a
	 * connection whose request bytes are still unread would be reset, and its request
	 * lost.
	 */
	private static void settle() {
		try {
			Thread.sleep(SETTLE.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
