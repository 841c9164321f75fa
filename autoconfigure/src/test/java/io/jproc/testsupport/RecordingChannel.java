package io.jproc.testsupport;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import io.jproc.ipc.Envelope;
import io.jproc.ipc.IpcChannel;
import io.jproc.ipc.Message;
import io.jproc.ipc.MessageChannel;
import io.jproc.ipc.QueueFullException;
import org.jspecify.annotations.Nullable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fake channel, for both sides: records what is sent, queued and answered on it, lets
 * the test play the peer (deliver messages, unmatched replies, end of stream) to the
 * listener it was {@link #start started} with, answers nothing by itself, and has an
 * application queue that never drains and fills up at its capacity, as
 * {@code IpcChannel}'s does when its peer does not read. Safe to use from several
 * threads.
 */
public final class RecordingChannel implements MessageChannel {

	/** jproc's own frames: {@link #send} and {@link #request}, in order. */
	public final List<Message> sent = new CopyOnWriteArrayList<>();

	/** Application messages: {@link #queue} and {@link #queueRequest}, in order. */
	public final List<Message> queued = new CopyOnWriteArrayList<>();

	/**
	 * What {@link #stalled()} says: set it to make the peer look as if it read nothing.
	 */
	public @Nullable Duration stalled;

	/** Answers given, in order. */
	public final List<Message> replies = new CopyOnWriteArrayList<>();

	/**
	 * The sequence numbers of the requests {@link #replies} answer, in the same order.
	 */
	public final List<Long> repliedTo = new CopyOnWriteArrayList<>();

	/** Requests still waiting for an answer the test gives, in order. */
	public final List<Request> requests = new CopyOnWriteArrayList<>();

	private volatile boolean open = true;

	private volatile int capacity = Integer.MAX_VALUE;

	private final AtomicLong seq = new AtomicLong();

	private volatile IpcChannel.@Nullable Listener listener;

	private volatile int closes;

	@Override
	public @Nullable Duration stalled() {
		return this.stalled;
	}

	@Override
	public boolean send(Message message) {
		this.sent.add(message);
		return this.open;
	}

	@Override
	public boolean reply(long requestSeq, Message message) {
		this.replies.add(message);
		this.repliedTo.add(requestSeq);
		return this.open;
	}

	@Override
	public CompletableFuture<Message> request(Message message, Duration timeout) {
		this.sent.add(message);
		return pending(message, timeout);
	}

	@Override
	public boolean queue(Message message) {
		if (!this.open) {
			return false;
		}
		if (this.queued.size() >= this.capacity) {
			throw new QueueFullException("the queue of the recording channel is full (" + this.capacity + ")");
		}
		this.queued.add(message);
		return true;
	}

	@Override
	public CompletableFuture<Message> queueRequest(Message message, Duration timeout) {
		try {
			queue(message);
		}
		catch (QueueFullException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		return pending(message, timeout);
	}

	private CompletableFuture<Message> pending(Message message, Duration timeout) {
		CompletableFuture<Message> reply = new CompletableFuture<>();
		this.requests.add(new Request(message, timeout, reply));
		return reply;
	}

	@Override
	public void appQueueCapacity(int capacity) {
		this.capacity = capacity;
	}

	/**
	 * The capacity the application queue was given.
	 * @return it, {@link Integer#MAX_VALUE} when none was
	 */
	public int appQueueCapacity() {
		return this.capacity;
	}

	public boolean isOpen() {
		return this.open;
	}

	@Override
	public void close() {
		this.open = false;
		this.closes++;
	}

	/**
	 * How often the channel was closed.
	 * @return the number of {@link #close()} calls
	 */
	public int closes() {
		return this.closes;
	}

	/**
	 * The messages of one type sent on the channel.
	 * @param <M> the type
	 * @param type the type
	 * @return those messages, in order
	 */
	public <M extends Message> List<M> sent(Class<M> type) {
		return this.sent.stream().filter(type::isInstance).map(type::cast).toList();
	}

	// The peer played by the test: for the worker side, the master.

	/**
	 * Start delivering, as {@link IpcChannel#start} does.
	 * @param listener receives what the peer sends
	 */
	public void start(IpcChannel.Listener listener) {
		assertThat(this.listener).as("started once").isNull();
		this.listener = listener;
	}

	/**
	 * Whether the owner has started reading.
	 * @return {@code true} once started
	 */
	public boolean isStarted() {
		return this.listener != null;
	}

	/**
	 * The peer sends a message (or a request: it is answered by its sequence number, see
	 * {@link #repliedTo}).
	 * @param message the message
	 * @return its envelope
	 */
	public Envelope deliver(Message message) {
		Envelope envelope = new Envelope(this.seq.incrementAndGet(), 0, message);
		listener().onMessage(envelope);
		return envelope;
	}

	/**
	 * The peer answers something that was never asked.
	 * @param message the answer
	 */
	public void deliverUnmatchedReply(Message message) {
		listener().onUnmatchedReply(new Envelope(this.seq.incrementAndGet(), 999, message));
	}

	/**
	 * The peer is gone: end of stream.
	 */
	public void endOfStream() {
		this.open = false;
		listener().onClosed();
	}

	private IpcChannel.Listener listener() {
		IpcChannel.Listener current = this.listener;
		assertThat(current).as("the owner has started reading its channel").isNotNull();
		return current;
	}

	/**
	 * A request sent or queued on the channel, for the test to answer.
	 *
	 * @param message what was asked
	 * @param timeout how long the asker waits
	 * @param reply completes the asker's future
	 */
	public record Request(Message message, Duration timeout, CompletableFuture<Message> reply) {

	}

}
