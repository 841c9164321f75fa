package io.jproc.worker;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Function;

import io.jproc.ExitCodes;
import io.jproc.JprocProperties;
import io.jproc.WorkerEnvironment;
import io.jproc.ipc.Envelope;
import io.jproc.ipc.IpcChannel;
import io.jproc.ipc.MalformedFrameException;
import io.jproc.ipc.Message;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.server.reactive.HttpHandler;

/**
 * The worker's end of its channel to the master. Tells the master when the application is
 * ready, obeys its stop requests, and makes the worker leave when the master is gone (end
 * of stream on the channel), so that no orphan keeps serving on the shared port.
 */
public final class MasterLink implements ApplicationListener<ApplicationReadyEvent>, DisposableBean {

	private static final Log logger = LogFactory.getLog(MasterLink.class);

	/** Time between pausing accept and starting Boot's graceful shutdown. */
	static final Duration SETTLE = Duration.ofMillis(250);

	private final WorkerIdentity identity;

	private final IpcChannel channel;

	private final JprocProperties properties;

	private final InheritedSockets sockets;

	private final ConfigurableApplicationContext context;

	private final AtomicBoolean leaving = new AtomicBoolean();

	private final Map<Class<? extends Message>, BiConsumer<Envelope, Message>> handlers = new ConcurrentHashMap<>();

	private volatile boolean ready;

	private final AtomicBoolean readyEventSeen = new AtomicBoolean();

	private final WorkerWarmup warmup;

	/**
	 * Orders this link's readiness changes: a spare's {@code REFUSING_TRAFFIC} after
	 * Boot's {@code ACCEPTING_TRAFFIC}, {@code ACCEPTING_TRAFFIC} when it takes a slot,
	 * {@code REFUSING_TRAFFIC} when leaving, whatever the threads.
	 */
	private final Object readiness = new Object();

	/** Whether Boot has published its own {@code ACCEPTING_TRAFFIC}; under readiness. */
	private boolean bootReadinessPublished;

	MasterLink(WorkerIdentity identity, IpcChannel channel, JprocProperties properties, InheritedSockets sockets,
			ConfigurableApplicationContext context) {
		this.identity = identity;
		this.channel = channel;
		this.properties = properties;
		this.sockets = sockets;
		this.context = context;
		this.warmup = new WorkerWarmup(properties.getWarmup());
		this.handlers.put(Message.Stop.class, (envelope,
				message) -> leave("asked by the master: " + ((Message.Stop) message).reason(), ExitCodes.OK));
		this.handlers.put(Message.CloseListeners.class, (envelope, message) -> sockets.closeInherited());
		this.handlers.put(Message.TakeSlot.class, (envelope, message) -> takeSlot(((Message.TakeSlot) message).id()));
		channel.start(new Listener());
	}

	/**
	 * Open the channel the master passed to this worker.
	 * @param label this worker's label, for the error
	 * @param fd the inherited channel descriptor
	 * @return the link, already reading
	 */
	static IpcChannel openChannel(String label, int fd) {
		try {
			return IpcChannel.fromFd(fd, "master");
		}
		catch (IOException | RuntimeException ex) {
			throw new IllegalStateException(
					label + ": cannot open the channel to the master (fd " + fd + "): " + ex.getMessage(), ex);
		}
	}

	/**
	 * The master gave this spare a slot: become worker {@code id} and accept at once (or
	 * as soon as the server starts). Ignored, with a warning, by a worker that is not a
	 * spare, has taken a slot already, or is leaving.
	 * @param id the slot id
	 */
	void takeSlot(int id) {
		String was = this.identity.label();
		long pid = ProcessHandle.current().pid();
		// Under the lock that leaving takes before it pauses accept: either this worker
		// is leaving and takes no slot, or its start of accepting is queued on the
		// event loop before the pause.
		synchronized (this.readiness) {
			if (isLeaving()) {
				logger.warn(was + ": the master gave it slot " + id + " while it is leaving; ignored");
				return;
			}
			if (!this.identity.takeSlot(id)) {
				logger.warn(was + ": the master gave it slot " + id + ", but "
						+ ((id < 1) ? "slot ids start at 1" : "it is not a spare (any more)") + "; ignored");
				return;
			}
			this.sockets.startAccepting();
			logger.info(this.identity.label() + " (was " + was + ", pid " + pid + ") takes slot " + id + ": "
					+ (this.ready ? "accepting now" : "accepting once its server has started"));
			if (this.bootReadinessPublished) {
				AvailabilityChangeEvent.publish(this.context, ReadinessState.ACCEPTING_TRAFFIC);
			}
		}
	}

	/**
	 * Boot has published {@code ACCEPTING_TRAFFIC} (after {@link ApplicationReadyEvent}):
	 * a spare still without a slot takes no connection and says so with
	 * {@code REFUSING_TRAFFIC}. Called by {@link WorkerReadinessRunListener}, which runs
	 * after Boot's own run listener.
	 * @param context the context Boot made ready
	 */
	void bootReadinessPublished(ConfigurableApplicationContext context) {
		if (context != this.context) {
			return;
		}
		synchronized (this.readiness) {
			this.bootReadinessPublished = true;
			if ((this.identity.isSpare() || this.sockets.isHeld()) && !isLeaving()) {
				// A spare without a slot, or a worker still warming up: no connection
				// yet.
				AvailabilityChangeEvent.publish(this.context, ReadinessState.REFUSING_TRAFFIC);
			}
		}
	}

	/**
	 * This worker's identity.
	 * @return the identity
	 */
	public WorkerIdentity identity() {
		return this.identity;
	}

	@Override
	public void onApplicationEvent(ApplicationReadyEvent event) {
		if (event.getApplicationContext() != this.context || !this.readyEventSeen.compareAndSet(false, true)) {
			return;
		}
		HttpHandler handler = this.warmup.isEnabled() ? this.context.getBeanProvider(HttpHandler.class).getIfAvailable()
				: null;
		if (handler == null) {
			reportReady();
			return;
		}
		Thread warming = new Thread(() -> {
			warmUp(handler);
			reportReady();
		}, "jproc-warmup");
		warming.start();
	}

	/**
	 * Warm the JIT up through the application's handler chain on a private port
	 * ({@code jproc.warmup.*}); a spare that takes a slot meanwhile, or a worker asked to
	 * leave, stops early.
	 * @param handler the application's handler chain
	 */
	private void warmUp(HttpHandler handler) {
		boolean spare = this.identity.isSpare();
		try {
			WorkerWarmup.Result result = this.warmup.run(handler,
					() -> isLeaving() || (spare && !this.identity.isSpare()));
			logger.info(this.identity.label() + " warmed up: " + result.answered() + " requests to "
					+ this.properties.getWarmup().getPaths() + " in " + result.took().toMillis() + " ms"
					+ ((result.failed() > 0) ? " (" + result.failed() + " failed)" : ""));
		}
		catch (RuntimeException ex) {
			logger.warn(this.identity.label() + ": warm-up failed, reporting ready without it: " + ex.getMessage());
		}
	}

	/**
	 * Tell the master this worker is ready; a worker that held its sockets for its
	 * warm-up (not a spare, which waits for its slot) accepts from now on.
	 */
	private void reportReady() {
		synchronized (this.readiness) {
			if (!this.identity.isSpare() && this.sockets.isHeld() && !isLeaving()) {
				this.sockets.startAccepting();
				if (this.bootReadinessPublished) {
					AvailabilityChangeEvent.publish(this.context, ReadinessState.ACCEPTING_TRAFFIC);
				}
			}
			this.ready = true;
		}
		long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
		this.channel.send(new Message.Ready(ProcessHandle.current().pid(), uptime,
				BootCacheCheck.used(WorkerEnvironment.current().bootCache())));
	}

	/**
	 * Send a message to the master.
	 * @param message the message
	 * @return whether it was written
	 */
	public boolean send(Message message) {
		return this.channel.send(message);
	}

	// Application messages (issue 10): queued behind jproc's own frames, see IpcChannel.

	/**
	 * Queue an application message for the master to relay.
	 * @param message the message
	 * @return whether it was queued
	 * @throws io.jproc.ipc.QueueFullException when the outgoing queue is full
	 */
	public boolean queue(Message message) {
		return this.channel.queue(message);
	}

	/**
	 * Queue an application request for the master to relay.
	 * @param message the request
	 * @param timeout how long to wait for the answer
	 * @return the answer
	 */
	public CompletableFuture<Message> queueRequest(Message message, Duration timeout) {
		return this.channel.queueRequest(message, timeout);
	}

	/**
	 * Set the capacity of the outgoing application queue, before the first message.
	 * @param capacity the capacity
	 */
	public void appQueueCapacity(int capacity) {
		this.channel.appQueueCapacity(capacity);
	}

	/**
	 * Answer a request the master relayed.
	 * @param request the request's envelope
	 * @param answer the answer
	 * @return whether it was written
	 */
	public boolean reply(Envelope request, Message answer) {
		return this.channel.reply(request, answer);
	}

	/**
	 * Handle a message type the master sends, in place of any earlier handler for it.
	 * Called on the channel's reader thread: hand slow work off.
	 * @param <M> the message type
	 * @param type the message type
	 * @param handler receives the envelope and the message
	 */
	public <M extends Message> void handle(Class<M> type, BiConsumer<Envelope, M> handler) {
		this.handlers.put(type, (envelope, message) -> handler.accept(envelope, type.cast(message)));
	}

	/**
	 * Ask the master and wait for its answer up to {@code jproc.ipc.request-timeout}.
	 * @param message the request
	 * @return the answer
	 */
	public CompletableFuture<Message> request(Message message) {
		return this.channel.request(message, this.properties.getIpc().getRequestTimeout());
	}

	/**
	 * Answer a kind of request the master sends, such as a metrics scrape. The handler is
	 * called on the channel's reader thread: it must hand slow work to another thread and
	 * complete the future there. A failed future is answered with a
	 * {@link Message.Failure}.
	 * @param <M> the request type
	 * @param type the request type
	 * @param handler makes the answer
	 */
	public <M extends Message> void answer(Class<M> type, Function<M, CompletableFuture<? extends Message>> handler) {
		this.handlers.put(type, (envelope, message) -> {
			CompletableFuture<? extends Message> answer;
			try {
				answer = handler.apply(type.cast(message));
			}
			catch (RuntimeException ex) {
				answer = CompletableFuture.failedFuture(ex);
			}
			answer.whenComplete((reply, failure) -> replyTo(envelope, reply, failure));
		});
	}

	private void replyTo(Envelope request, Message answer, Throwable failure) {
		Throwable cause = (failure != null) ? IpcChannel.causeOf(failure) : null;
		try {
			this.channel.reply(request,
					(cause != null) ? new Message.Failure(String.valueOf(cause.getMessage())) : answer);
		}
		catch (IllegalArgumentException ex) {
			// Over the frame limit: say so rather than leave the master waiting.
			this.channel.reply(request, new Message.Failure(ex.getMessage()));
		}
	}

	/**
	 * Whether the application has reported ready to the master.
	 * @return {@code true} once ready
	 */
	public boolean isReady() {
		return this.ready;
	}

	/**
	 * Whether this worker is on its way out.
	 * @return {@code true} once leaving has begun
	 */
	public boolean isLeaving() {
		return this.leaving.get();
	}

	/**
	 * Stop accepting, let in-flight requests finish within {@code jproc.drain-timeout}
	 * (Boot's graceful shutdown), then exit the JVM. Only the first call has an effect.
	 * @param reason why, for the log
	 * @param exitCode the exit code
	 */
	public void leave(String reason, int exitCode) {
		if (!this.leaving.compareAndSet(false, true)) {
			return;
		}
		Thread leaver = new Thread(() -> {
			if (!this.ready) {
				logger.info(this.identity.label() + " leaving before it was ready (" + reason + ")");
				System.exit(exitCode);
				return;
			}
			// Readiness probes answered by this worker from now on say it takes no more
			// traffic; the pool's own health is the master's to tell.
			synchronized (this.readiness) {
				AvailabilityChangeEvent.publish(this.context, ReadinessState.REFUSING_TRAFFIC);
			}
			if (this.sockets.isHeld()) {
				logger
					.info(this.identity.label() + " leaving (" + reason + "): it never took a slot, nothing to drain");
			}
			else {
				logger
					.info(this.identity.label() + " leaving (" + reason + "): stopped accepting, draining for at most "
							+ this.properties.getDrainTimeout().toSeconds() + " s");
			}
			this.sockets.pauseAccepting();
			settle();
			// Logged by drained(): once the context is closed, Boot has stopped the
			// logging system.
			System.exit(SpringApplication.exit(this.context, () -> exitCode));
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
		send(new Message.Drained(unfinished));
		logger.info(this.identity.label() + ((unfinished == 0) ? " drained, exiting"
				: " drain deadline reached with " + unfinished + " requests in flight, exiting"));
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

	@Override
	public void destroy() {
		// The master learns of the exit from waitpid; closing here lets it see the end of
		// stream early.
		if (this.leaving.get()) {
			this.channel.close();
		}
	}

	Duration requestTimeout() {
		return this.properties.getIpc().getRequestTimeout();
	}

	private final class Listener implements IpcChannel.Listener {

		@Override
		public void onMessage(Envelope envelope) {
			BiConsumer<Envelope, Message> handler = MasterLink.this.handlers.get(envelope.message().getClass());
			if (handler == null) {
				logger.warn(MasterLink.this.identity.label() + ": the master sent "
						+ envelope.message().getClass().getSimpleName() + ", which a worker does not take; ignored");
				MasterLink.this.channel.reply(envelope, new Message.Failure("a worker does not take this message"));
				return;
			}
			handler.accept(envelope, envelope.message());
		}

		@Override
		public void onUnmatchedReply(Envelope envelope) {
			logger.warn(MasterLink.this.identity.label() + ": the master sent "
					+ envelope.message().getClass().getSimpleName()
					+ " answering nothing this worker asked (late?); ignored");
		}

		@Override
		public void onMalformed(MalformedFrameException error) {
			logger.warn(MasterLink.this.identity.label() + ": malformed frame from the master: " + error.getMessage());
		}

		@Override
		public void onClosed() {
			leave("the master is gone", ExitCodes.MASTER_GONE);
		}

	}

}
