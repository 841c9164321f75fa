package io.jproc.worker;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

import io.jproc.ipc.Envelope;
import io.jproc.ipc.IpcChannel;
import io.jproc.ipc.MalformedFrameException;
import io.jproc.ipc.Message;
import io.jproc.ipc.MessageChannel;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;

/**
 * The worker's channel to the master: frames out ({@link #send}, {@link #queue},
 * {@link #request}, {@link #reply}) and the one table of handlers for the messages the
 * master sends ({@link #handle}, {@link #answer}). It reads nothing until
 * {@link #start()}, so that the handlers of the master's lifecycle messages are in place
 * first; the end of stream (the master is gone) goes to the hook set with
 * {@link #whenGone(Runnable)}. What the messages mean is for others:
 * {@link WorkerReadiness} (ready, slots), {@link WorkerDeparture} (stop, drain, exit),
 * {@link Heartbeats}, {@link SelfRetirement}, and the messaging and actuator packages.
 * <p>
 * Internal to jproc: public because the messaging and actuator packages talk to the
 * master through it; applications use {@link JprocWorker} and jproc's messaging API.
 */
public final class MasterLink implements DisposableBean {

	private static final Log logger = LogFactory.getLog(MasterLink.class);

	private final WorkerIdentity identity;

	private final MessageChannel channel;

	private final Consumer<IpcChannel.Listener> reader;

	private final Duration requestTimeout;

	private final Map<Class<? extends Message>, BiConsumer<Envelope, Message>> handlers = new ConcurrentHashMap<>();

	private final AtomicBoolean started = new AtomicBoolean();

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
	 * Start reading the master's messages. Only the first call has an effect.
	 */
	void start() {
		if (this.started.compareAndSet(false, true)) {
			this.reader.accept(new Listener());
		}
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
			MasterLink.this.whenGone.run();
		}

	}

}
