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
import org.jspecify.annotations.Nullable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A channel with the master played by the test, for unit tests of the worker side: it
 * records what the worker sends, replies and asks, and delivers what the test makes the
 * master send to the listener the worker {@link #start started} it with. Thread-safe,
 * since workers send from threads of their own. Shared test support: the master's unit
 * tests have their own recording channel ({@code FakePool.RecordingChannel}), which this
 * one can replace.
 */
public final class FakeMasterChannel implements MessageChannel {

	/** Every message the worker sent, requests included, in order. */
	public final List<Message> sent = new CopyOnWriteArrayList<>();

	/** Every answer the worker gave to a request of the master's. */
	public final List<Message> replies = new CopyOnWriteArrayList<>();

	/** The sequence numbers those answers went to. */
	public final List<Long> repliedTo = new CopyOnWriteArrayList<>();

	private final AtomicLong seq = new AtomicLong();

	private volatile IpcChannel.@Nullable Listener listener;

	private volatile boolean open = true;

	private volatile int closes;

	/**
	 * Start delivering, as {@link IpcChannel#start} does.
	 * @param listener receives what the master sends
	 */
	public void start(IpcChannel.Listener listener) {
		assertThat(this.listener).as("started once").isNull();
		this.listener = listener;
	}

	/**
	 * Whether the worker has started reading.
	 * @return {@code true} once started
	 */
	public boolean isStarted() {
		return this.listener != null;
	}

	/**
	 * The master sends a message (or a request: the worker answers it by its sequence
	 * number, see {@link #repliedTo}).
	 * @param message the message
	 * @return its envelope
	 */
	public Envelope deliver(Message message) {
		Envelope envelope = new Envelope(this.seq.incrementAndGet(), 0, message);
		listener().onMessage(envelope);
		return envelope;
	}

	/**
	 * The master answers something the worker never asked.
	 * @param message the answer
	 */
	public void deliverUnmatchedReply(Message message) {
		listener().onUnmatchedReply(new Envelope(this.seq.incrementAndGet(), 999, message));
	}

	/**
	 * The master is gone: end of stream.
	 */
	public void endOfStream() {
		this.open = false;
		listener().onClosed();
	}

	/**
	 * The messages of one type the worker sent.
	 * @param <M> the type
	 * @param type the type
	 * @return those messages, in order
	 */
	public <M extends Message> List<M> sent(Class<M> type) {
		return this.sent.stream().filter(type::isInstance).map(type::cast).toList();
	}

	/**
	 * How often the worker closed the channel.
	 * @return the number of {@link #close()} calls
	 */
	public int closes() {
		return this.closes;
	}

	private IpcChannel.Listener listener() {
		IpcChannel.Listener current = this.listener;
		assertThat(current).as("the worker has started reading its channel").isNotNull();
		return current;
	}

	@Override
	public boolean send(Message message) {
		this.sent.add(message);
		return this.open;
	}

	@Override
	public boolean reply(long requestSeq, Message message) {
		this.repliedTo.add(requestSeq);
		this.replies.add(message);
		return this.open;
	}

	@Override
	public CompletableFuture<Message> request(Message message, Duration timeout) {
		this.sent.add(message);
		return new CompletableFuture<>();
	}

	@Override
	public void close() {
		this.open = false;
		this.closes++;
	}

}
