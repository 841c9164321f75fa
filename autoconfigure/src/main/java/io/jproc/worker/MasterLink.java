package io.jproc.worker;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

import io.jproc.ExitCodes;
import io.jproc.ipc.Envelope;
import io.jproc.ipc.IpcChannel;
import io.jproc.ipc.MalformedFrameException;
import io.jproc.ipc.Message;
import io.jproc.ipc.MessageChannel;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;

/**
 * The worker's channel to the master: frames out ({@link #send}, {@link #queue},
 * {@link #request}, {@link #reply}) and the one table of handlers for the messages the
 * master sends ({@link #handle}, {@link #answer}). No handler is called before
 * {@link #start()}, so that the handlers of the master's lifecycle messages are in place
 * first; the end of stream (the master is gone) goes to the hook set with
 * {@link #whenGone(Runnable)}. {@link MasterLinkInitializer} makes the link reading
 * before the context's beans are made ({@link #listenWhileBooting}): until
 * {@link #start()}, a {@link Message.Stop} or the end of stream ends the booting worker
 * through its {@link BootExit}, and every other message waits, in order. What the
 * messages mean is for others: {@link WorkerReadiness} (ready, slots),
 * {@link WorkerDeparture} (stop, drain, exit), {@link Heartbeats},
 * {@link SelfRetirement}, and the messaging and actuator packages.
 * <p>
 * Internal to jproc: public because the messaging and actuator packages talk to the
 * master through it; applications use {@link JprocWorker} and jproc's messaging API.
 */
public final class MasterLink implements DisposableBean {

	private static final Log logger = LogFactory.getLog(MasterLink.class);

	private final WorkerIdentity identity;

	private final MessageChannel channel;

	private final Consumer<IpcChannel.Listener> reader;

	private volatile Duration requestTimeout;

	private final Map<Class<? extends Message>, BiConsumer<Envelope, Message>> handlers = new ConcurrentHashMap<>();

	private final AtomicBoolean reading = new AtomicBoolean();

	/** Orders the messages held while booting before those that follow them. */
	private final Object dispatchLock = new Object();

	/** Messages read before {@link #start()}; under the dispatch lock. */
	private final List<Envelope> held = new ArrayList<>();

	/**
	 * Whether the end of stream came before {@link #start()}; under the dispatch lock.
	 */
	private boolean goneBeforeStart;

	/**
	 * Set by {@link #start()}, under the dispatch lock, once the held messages went out.
	 */
	private volatile boolean dispatching;

	/** What a Stop or the end of stream does before {@link #start()}, if anything. */
	private volatile @Nullable BootExit bootExit;

	private volatile Runnable whenGone = () -> {
	};

	/** Set once this worker leaves: the channel closes with the context. */
	private volatile boolean closeOnDestroy;

	/**
	 * Create the link on a channel that does not read yet.
	 * @param identity this worker's identity, for the logs
	 * @param channel the channel to the master
	 * @param reader starts reading the channel, calling the listener it is given
	 * @param requestTimeout how long {@link #request(Message)} waits
	 * ({@code jproc.ipc.request-timeout})
	 */
	MasterLink(WorkerIdentity identity, MessageChannel channel, Consumer<IpcChannel.Listener> reader,
			Duration requestTimeout) {
		this.identity = identity;
		this.channel = channel;
		this.reader = reader;
		this.requestTimeout = requestTimeout;
	}

	/**
	 * Create the link on the channel the master passed to this worker.
	 * @param identity this worker's identity
	 * @param fd the inherited channel descriptor
	 * @param requestTimeout how long {@link #request(Message)} waits
	 * @return the link, not reading yet
	 */
	static MasterLink open(WorkerIdentity identity, int fd, Duration requestTimeout) {
		IpcChannel channel = openChannel(identity.label(), fd);
		return new MasterLink(identity, channel, channel::start, requestTimeout);
	}

	/**
	 * Open the channel the master passed to this worker.
	 * @param label this worker's label, for the error
	 * @param fd the inherited channel descriptor
	 * @return the channel, not reading yet
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
	 * Read the master's messages from now on, while this worker boots: until
	 * {@link #start()}, a {@link Message.Stop} or the end of stream ends it through
	 * {@code exit}, and every other message waits.
	 * @param exit how this worker leaves before it is ready
	 */
	void listenWhileBooting(BootExit exit) {
		this.bootExit = exit;
		read();
	}

	/**
	 * Hand the master's messages to their handlers from now on, those held while booting
	 * first, in order. Only the first call has an effect.
	 */
	void start() {
		read();
		synchronized (this.dispatchLock) {
			if (this.dispatching) {
				return;
			}
			for (Envelope envelope : this.held) {
				dispatch(envelope);
			}
			this.held.clear();
			this.dispatching = true;
			if (this.goneBeforeStart) {
				this.whenGone.run();
			}
		}
	}

	private void read() {
		if (this.reading.compareAndSet(false, true)) {
			this.reader.accept(new Listener());
		}
	}

	/**
	 * Set how long {@link #request(Message)} waits, once
	 * {@code jproc.ipc.request-timeout} is bound: a link opened before the context's
	 * beans waits the default until then.
	 * @param timeout the timeout
	 */
	void requestTimeout(Duration timeout) {
		this.requestTimeout = timeout;
	}

	/**
	 * What to do when the channel reaches its end: the master is gone. Set before
	 * {@link #start()}.
	 * @param hook called once, on the reader thread
	 */
	void whenGone(Runnable hook) {
		this.whenGone = hook;
	}

	/**
	 * Close the channel when this bean is destroyed, so that the master sees the end of
	 * stream early: for a worker that leaves.
	 */
	void closeOnDestroy() {
		this.closeOnDestroy = true;
	}

	/**
	 * This worker's identity.
	 * @return the identity
	 */
	public WorkerIdentity identity() {
		return this.identity;
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
		return this.channel.request(message, this.requestTimeout);
	}

	/**
	 * Answer a kind of request the master sends, such as a metrics scrape. The handler is
	 * called on the channel's reader thread: it must hand slow work to another thread and
	 * complete the future there. A failed future is answered with a
	 * {@link Message.Failure}; a cancelled one is not answered at all (the work was
	 * dropped because the master had stopped waiting for it).
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
		if (cause instanceof CancellationException) {
			return;
		}
		try {
			this.channel.reply(request,
					(cause != null) ? new Message.Failure(String.valueOf(cause.getMessage())) : answer);
		}
		catch (IllegalArgumentException ex) {
			// Over the frame limit: say so rather than leave the master waiting.
			this.channel.reply(request, new Message.Failure(ex.getMessage()));
		}
	}

	@Override
	public void destroy() {
		// The master learns of the exit from waitpid; closing here lets it see the end of
		// stream early.
		if (this.closeOnDestroy) {
			this.channel.close();
		}
	}

	/**
	 * Before {@link #start()}: hold a message, or end the booting worker for a Stop.
	 * @param envelope the message read
	 * @return whether it was taken care of ({@code false} once dispatching)
	 */
	private boolean whileBooting(Envelope envelope) {
		if (this.dispatching) {
			return false;
		}
		synchronized (this.dispatchLock) {
			if (this.dispatching) {
				return false;
			}
			BootExit exit = this.bootExit;
			if (exit != null && envelope.message() instanceof Message.Stop stop) {
				exit.leave("asked by the master: " + stop.reason(), ExitCodes.OK);
			}
			else {
				this.held.add(envelope);
			}
			return true;
		}
	}

	private void dispatch(Envelope envelope) {
		BiConsumer<Envelope, Message> handler = this.handlers.get(envelope.message().getClass());
		if (handler == null) {
			logger.warn(this.identity.label() + ": the master sent " + envelope.message().getClass().getSimpleName()
					+ ", which a worker does not take; ignored");
			this.channel.reply(envelope, new Message.Failure("a worker does not take this message"));
			return;
		}
		handler.accept(envelope, envelope.message());
	}

	private final class Listener implements IpcChannel.Listener {

		@Override
		public void onMessage(Envelope envelope) {
			if (!whileBooting(envelope)) {
				dispatch(envelope);
			}
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
			if (!MasterLink.this.dispatching) {
				synchronized (MasterLink.this.dispatchLock) {
					if (!MasterLink.this.dispatching) {
						BootExit exit = MasterLink.this.bootExit;
						if (exit != null) {
							exit.leave("the master is gone", ExitCodes.MASTER_GONE);
						}
						else {
							MasterLink.this.goneBeforeStart = true;
						}
						return;
					}
				}
			}
			MasterLink.this.whenGone.run();
		}

	}

}
