package io.jproc.ipc;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import jnr.unixsocket.UnixSocketChannel;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * One end of the private channel between master and a worker: a connected Unix socket
 * (one end of a socketpair) carrying length-prefixed JSON frames. A daemon thread reads
 * frames and hands them to a {@link Listener}; replies are matched to their request by
 * sequence number. Sending is thread-safe and never blocks.
 * <p>
 * Sending only queues: one writer thread per channel writes the frames, so a peer that
 * stops reading (stopped, frozen, in a GC death spiral) blocks that thread and nothing
 * else: not the master's loop, not a reader thread answering on another channel, not the
 * JDK's shared timer completing a request. Two queues feed the writer, both bounded in
 * bytes:
 * <ul>
 * <li>jproc's own frames (heartbeats, stop, leadership, replies) are written first, so a
 * control frame waits for at most the one application frame being written. They have
 * their own budget of {@link #CONTROL_BYTES}; when even that overflows, the peer has not
 * read for a long time (heartbeats are a few hundred bytes): the channel is
 * <em>overflowed</em>, refuses every frame from then on (sends return {@code false}) and
 * reports itself {@link #stalled()} at once.</li>
 * <li>application messages ({@link Message.AppMessage}, {@link Message.AppReply},
 * {@link Message.GatherRequest}, {@link Message.Gathered}) wait behind them, bounded in
 * number ({@link #appQueueCapacity}) and in bytes ({@link #appQueueLimits}, optionally
 * drawing on a {@link ByteBudget} shared with other channels); a full queue refuses at
 * once with {@link QueueFullException}. An application answer that does not fit is
 * replaced by a small {@link Message.Failure} on the control queue, so the asker learns
 * at once instead of waiting for its timeout.</li>
 * </ul>
 * While bytes wait and the peer takes none of them for longer than the write deadline
 * ({@link #writeDeadline}), the channel is stalled: the master treats that like a missed
 * heartbeat. A stalled channel drops its waiting application frames and refuses new ones,
 * so a hung peer does not hold the relay's budget.
 * <p>
 * Why a thread and not a selector: the reader blocks in {@code read} on the same
 * descriptor, and {@code O_NONBLOCK} belongs to the open file description, shared by the
 * reader, so a non-blocking writer would make the reader non-blocking too. One thread per
 * channel is bounded by the pool's size and costs the loop nothing while it is blocked.
 * <p>
 * Internal: public for jproc's own packages, not API.
 */
public final class IpcChannel implements Closeable, MessageChannel {

	private final UnixSocketChannel socket;

	private final String name;

	private final InputStream in;

	private final OutputStream out;

	private final AtomicLong nextSeq = new AtomicLong();

	private final Map<Long, CompletableFuture<Message>> pending = new ConcurrentHashMap<>();

	private final AtomicBoolean closed = new AtomicBoolean();

	/** Whether a reader thread was started: then it alone closes the descriptor. */
	private final AtomicBoolean readerStarted = new AtomicBoolean();

	/** Whether the descriptor is closed; under {@link #writeLock}. */
	private boolean descriptorClosed;

	/**
	 * Held by the writer thread while it writes, and to close the descriptor: never
	 * waited for by a sender.
	 */
	private final ReentrantLock writeLock = new ReentrantLock();

	/** The frames waiting to be written, and their bounds. */
	private final FrameQueues outgoing;

	private final AtomicBoolean writerStarted = new AtomicBoolean();

	/** Application frames queued when no capacity is configured. */
	public static final int DEFAULT_APP_QUEUE = 1024;

	/** Bytes of application frames queued when no limit is configured. */
	public static final long DEFAULT_APP_BYTES = ByteBudget.MIN_DESTINATION_BYTES;

	/**
	 * Bytes of jproc's own frames that may wait: thousands of heartbeats, members or
	 * stops. An empty queue takes any one frame (a big scrape answer).
	 */
	public static final long CONTROL_BYTES = 1024 * 1024;

	/** The write deadline when none is configured (the default heartbeat timeout). */
	public static final Duration DEFAULT_WRITE_DEADLINE = Duration.ofSeconds(30);

	/** How long {@link #close()} lets the writer go on while the peer still reads. */
	static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(2);

	/** {@link #close()} stops waiting when the peer took nothing for this long. */
	static final Duration FLUSH_IDLE = Duration.ofMillis(100);

	private static final Log logger = LogFactory.getLog(IpcChannel.class);

	private IpcChannel(UnixSocketChannel socket, String name) throws IOException {
		this.socket = socket;
		this.name = name;
		this.outgoing = new FrameQueues(name, this.closed);
		socket.configureBlocking(true);
		// Not Channels.newInputStream/newOutputStream: for a selectable channel both hold
		// its blocking lock, so a reader blocked in read would stall every writer.
		this.in = new DataInputStream(new BufferedInputStream(new SocketStreams.Input(socket), 64 * 1024));
		this.out = new SocketStreams.Output(socket, this.outgoing::progressed);
	}

	/**
	 * Wrap an inherited or created socket file descriptor.
	 * @param fd the file descriptor of a connected Unix stream socket
	 * @param name a name for threads and messages, such as {@code worker 2}
	 * @return the channel, not yet reading
	 * @throws IOException if the descriptor cannot be used
	 */
	public static IpcChannel fromFd(int fd, String name) throws IOException {
		return new IpcChannel(UnixSocketChannel.fromFD(fd), name);
	}

	/**
	 * Wrap one end of {@link UnixSocketChannel#pair()}.
	 * @param socket the socket
	 * @param name a name for threads and messages
	 * @return the channel, not yet reading
	 * @throws IOException if the socket cannot be used
	 */
	public static IpcChannel of(UnixSocketChannel socket, String name) throws IOException {
		return new IpcChannel(socket, name);
	}

	/**
	 * Start the reader thread.
	 * @param listener receives every frame that is not a reply to one of our requests
	 */
	public void start(Listener listener) {
		this.readerStarted.set(true);
		Thread reader = new Thread(() -> readLoop(listener), "jproc-ipc-" + this.name.replace(' ', '-'));
		reader.setDaemon(true);
		reader.start();
	}

	private void readLoop(Listener listener) {
		try {
			while (!this.closed.get()) {
				Envelope envelope;
				try {
					envelope = FrameCodec.read(this.in);
				}
				catch (MalformedFrameException ex) {
					CompletableFuture<Message> waiting = (ex.replyTo() != 0) ? this.pending.remove(ex.replyTo()) : null;
					if (waiting != null) {
						waiting.completeExceptionally(ex);
						continue;
					}
					listener.onMalformed(ex);
					if (ex.isFatal()) {
						break;
					}
					continue;
				}
				if (envelope == null) {
					break;
				}
				if (envelope.isReply()) {
					// A reply is never handed on as a message: answering an answer that
					// matches nothing would start the two peers refusing each other
					// forever.
					CompletableFuture<Message> waiting = this.pending.remove(envelope.replyTo());
					if (waiting != null) {
						waiting.complete(envelope.message());
					}
					else {
						listener.onUnmatchedReply(envelope);
					}
					continue;
				}
				listener.onMessage(envelope);
			}
		}
		catch (IOException ex) {
			// A reset or closed peer is an end of stream like any other.
		}
		catch (RuntimeException ex) {
			listener.onMalformed(new MalformedFrameException("reader failed: " + ex, true, 0));
		}
		finally {
			closeQuietly();
			closeDescriptor();
			failPending("channel to " + this.name + " closed");
			listener.onClosed();
		}
	}

	/**
	 * Send a message that expects no reply: queue it, ahead of application messages (an
	 * application message goes behind them, as with {@link #queue}).
	 * @param message the message
	 * @return whether it was queued (false once the channel is closed or overflowed, or
	 * for an application message when its queue is full)
	 * @throws IllegalArgumentException if the frame is over
	 * {@link FrameCodec#MAX_FRAME_BYTES}
	 */
	@Override
	public boolean send(Message message) {
		Envelope envelope = new Envelope(this.nextSeq.incrementAndGet(), 0, message);
		if (isApplication(message)) {
			try {
				return enqueueApp(FrameCodec.encode(envelope));
			}
			catch (QueueFullException ex) {
				return false;
			}
		}
		return enqueueControl(FrameCodec.encode(envelope));
	}

	/**
	 * Answer a request.
	 * @param request the request's envelope
	 * @param message the answer
	 * @return whether it was queued
	 */
	@Override
	public boolean reply(Envelope request, Message message) {
		return reply(request.seq(), message);
	}

	/**
	 * Answer a request by its sequence number. An application answer that its queue
	 * cannot take is replaced by a {@link Message.Failure} that says so.
	 * @param requestSeq the request's sequence number
	 * @param message the answer
	 * @return whether it (or the failure in its place) was queued
	 * @throws IllegalArgumentException if the frame is over
	 * {@link FrameCodec#MAX_FRAME_BYTES}
	 */
	@Override
	public boolean reply(long requestSeq, Message message) {
		byte[] frame = FrameCodec.encode(new Envelope(this.nextSeq.incrementAndGet(), requestSeq, message));
		if (isApplication(message)) {
			try {
				return enqueueApp(frame);
			}
			catch (QueueFullException ex) {
				return enqueueControl(FrameCodec.encode(new Envelope(this.nextSeq.incrementAndGet(), requestSeq,
						new Message.Failure("answer not sent: " + ex.getMessage()))));
			}
		}
		return enqueueControl(frame);
	}

	/**
	 * Send a request and wait for its reply up to a timeout.
	 * @param message the request
	 * @param timeout how long to wait
	 * @return the reply; completes exceptionally with {@link TimeoutException} when late,
	 * with {@link MalformedFrameException} when the reply cannot be read and with
	 * {@link IOException} when the channel is or becomes closed
	 */
	@Override
	public CompletableFuture<Message> request(Message message, Duration timeout) {
		long seq = this.nextSeq.incrementAndGet();
		CompletableFuture<Message> reply = new CompletableFuture<>();
		this.pending.put(seq, reply);
		boolean queued;
		try {
			queued = enqueueControl(FrameCodec.encode(new Envelope(seq, 0, message)));
		}
		catch (RuntimeException ex) {
			this.pending.remove(seq);
			reply.completeExceptionally(ex);
			return reply;
		}
		if (!queued) {
			this.pending.remove(seq);
			reply.completeExceptionally(new IOException("channel to " + this.name + " is closed or not read"));
			return reply;
		}
		return reply.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
			.whenComplete((result, failure) -> this.pending.remove(seq));
	}

	/**
	 * The failure a request's future ended with, without the {@link CompletionException}
	 * that dependent stages wrap it in.
	 * @param failure what a stage of {@link #request} saw
	 * @return the cause: a {@link TimeoutException}, an {@link IOException}, or what the
	 * caller threw
	 */
	public static Throwable causeOf(Throwable failure) {
		return (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause() : failure;
	}

	/**
	 * Frames that every channel of this process refused because an enum field held a
	 * value this build does not know (a peer of a newer or older build); each was
	 * reported as a {@link MalformedFrameException} that names the message type, the
	 * field and the value.
	 * @return the count since the JVM started
	 */
	public static long unknownValueFrames() {
		return FrameCodec.unknownValueFrames();
	}

	/**
	 * Whether a message is the application's (relayed, bounded by
	 * {@code jproc.messaging.*}) rather than jproc's own.
	 * @param message the message
	 * @return {@code true} for application messages and their answers
	 */
	public static boolean isApplication(Message message) {
		return message instanceof Message.AppMessage || message instanceof Message.AppReply
				|| message instanceof Message.GatherRequest || message instanceof Message.Gathered;
	}

	/**
	 * Set how many application frames may wait to be written, with the default byte bound
	 * ({@link #DEFAULT_APP_BYTES}).
	 * @param capacity the capacity, at least 1
	 */
	@Override
	public void appQueueCapacity(int capacity) {
		appQueueLimits(capacity, DEFAULT_APP_BYTES, null);
	}

	/**
	 * Bound the application frames waiting to be written.
	 * @param capacity the most frames, at least 1
	 * @param bytes the most bytes, at least 1 (an empty queue takes any one frame)
	 * @param shared a budget the frames' bytes are drawn from too, or {@code null}
	 */
	@Override
	public void appQueueLimits(int capacity, long bytes, @Nullable ByteBudget shared) {
		this.outgoing.limits(capacity, bytes, shared);
	}

	/**
	 * Set the write deadline: while frames wait, a peer that takes none of their bytes
	 * for this long is not reading ({@link #stalled()}).
	 * @param deadline the deadline
	 */
	@Override
	public void writeDeadline(Duration deadline) {
		this.outgoing.writeDeadline(deadline);
	}

	/**
	 * Queue an application message that expects no reply, behind earlier ones; jproc's
	 * own frames overtake it.
	 * @param message the message
	 * @return whether it was queued (false once the channel is closed or not read)
	 * @throws QueueFullException if the queue is full: the message is not sent
	 * @throws IllegalArgumentException if the frame is over
	 * {@link FrameCodec#MAX_FRAME_BYTES}
	 */
	@Override
	public boolean queue(Message message) {
		return enqueueApp(FrameCodec.encode(new Envelope(this.nextSeq.incrementAndGet(), 0, message)));
	}

	/**
	 * Queue an application message as a request, like {@link #request} but behind earlier
	 * application messages.
	 * @param message the request
	 * @param timeout how long to wait for the reply
	 * @return the reply, as with {@link #request}; fails at once with
	 * {@link QueueFullException} when the queue is full
	 */
	@Override
	public CompletableFuture<Message> queueRequest(Message message, Duration timeout) {
		long seq = this.nextSeq.incrementAndGet();
		CompletableFuture<Message> reply = new CompletableFuture<>();
		this.pending.put(seq, reply);
		try {
			if (!enqueueApp(FrameCodec.encode(new Envelope(seq, 0, message)))) {
				this.pending.remove(seq);
				reply.completeExceptionally(new IOException("channel to " + this.name + " is closed or not read"));
				return reply;
			}
		}
		catch (RuntimeException ex) {
			this.pending.remove(seq);
			reply.completeExceptionally(ex);
			return reply;
		}
		return reply.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
			.whenComplete((result, failure) -> this.pending.remove(seq));
	}

	/**
	 * Application frames waiting to be written.
	 * @return the queue's length
	 */
	public int queued() {
		return this.outgoing.queued();
	}

	/**
	 * Bytes waiting to be written or being written, control and application frames.
	 * @return the bytes
	 */
	public long pendingBytes() {
		return this.outgoing.pendingBytes();
	}

	/**
	 * Application frames dropped after they were queued, because the peer stopped reading
	 * or the channel closed.
	 * @return the count
	 */
	public long droppedFrames() {
		return this.outgoing.droppedFrames();
	}

	/**
	 * Whether the peer is not reading: bytes have waited and none was taken for longer
	 * than the write deadline, or jproc's own frames overflowed their budget. Cheap;
	 * called by the master's loop on every tick.
	 * @return how long the peer has taken nothing, {@code null} while it reads, nothing
	 * waits or the channel is closed
	 */
	@Override
	public @Nullable Duration stalled() {
		return this.closed.get() ? null : this.outgoing.stalled();
	}

	private boolean enqueueControl(byte[] frame) {
		if (!this.outgoing.addControl(frame)) {
			return false;
		}
		startWriter();
		return true;
	}

	private boolean enqueueApp(byte[] frame) {
		if (!this.outgoing.addApp(frame)) {
			return false;
		}
		startWriter();
		return true;
	}

	private void startWriter() {
		if (this.writerStarted.compareAndSet(false, true)) {
			Thread writer = new Thread(this::writeLoop, "jproc-ipc-writer-" + this.name.replace(' ', '-'));
			writer.setDaemon(true);
			writer.start();
		}
	}

	private void writeLoop() {
		List<byte[]> batch = new ArrayList<>();
		try {
			while (true) {
				batch.clear();
				FrameQueues.Taken taken = this.outgoing.next(batch);
				if (taken == null) {
					break;
				}
				boolean written = writeFrames(batch, taken.bytes());
				this.outgoing.written(taken);
				if (!written) {
					break;
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			this.outgoing.clear();
		}
	}

	private boolean writeFrames(List<byte[]> frames, long size) {
		if (frames.isEmpty()) {
			return true;
		}
		this.writeLock.lock();
		try {
			if (this.descriptorClosed) {
				return false;
			}
			this.out.write(concat(frames, (int) size));
			return true;
		}
		catch (IOException ex) {
			closeQuietly();
			return false;
		}
		finally {
			this.writeLock.unlock();
		}
	}

	private static byte[] concat(List<byte[]> frames, int size) {
		if (frames.size() == 1) {
			return frames.get(0);
		}
		ByteBuffer all = ByteBuffer.allocate(size);
		frames.forEach(all::put);
		return all.array();
	}

	/**
	 * Write raw bytes, bypassing the codec and the queues. Only for tests of the peer's
	 * validation.
	 * @param bytes the bytes
	 * @throws IOException on a write error
	 */
	void writeRaw(byte[] bytes) throws IOException {
		this.writeLock.lock();
		try {
			this.out.write(bytes);
			this.out.flush();
		}
		finally {
			this.writeLock.unlock();
		}
	}

	/**
	 * Whether the channel is still open.
	 * @return {@code true} until it is closed or the peer has gone
	 */
	public boolean isOpen() {
		return !this.closed.get();
	}

	private void failPending(String why) {
		this.pending.values().forEach((future) -> future.completeExceptionally(new IOException(why)));
		this.pending.clear();
	}

	private void closeQuietly() {
		if (this.closed.compareAndSet(false, true)) {
			this.outgoing.wake();
			try {
				// shutdown wakes our own blocked reader and writer, and shows the peer an
				// end of stream
				this.socket.shutdownInput();
				this.socket.shutdownOutput();
			}
			catch (IOException ex) {
				// Not connected any more.
			}
			if (!this.readerStarted.get()) {
				closeDescriptor();
			}
			// Else the reader closes it as it leaves: closed here, the number could be
			// reused by a new channel (a new worker's) before the reader's next read,
			// which would then steal that channel's bytes.
		}
	}

	private void closeDescriptor() {
		this.writeLock.lock();
		try {
			if (!this.descriptorClosed) {
				this.descriptorClosed = true;
				this.socket.close();
			}
		}
		catch (IOException ex) {
			// Already gone.
		}
		finally {
			this.writeLock.unlock();
		}
	}

	/**
	 * Close the channel; pending requests fail. Frames still waiting get a short chance
	 * to go out (a worker's last {@code Drained}): while the peer keeps taking bytes, for
	 * at most {@link #FLUSH_TIMEOUT}; not at all once it took nothing for
	 * {@link #FLUSH_IDLE}, or when the peer has gone.
	 */
	@Override
	public void close() {
		flush();
		closeQuietly();
		failPending("channel to " + this.name + " closed");
	}

	private void flush() {
		this.outgoing.flush(FLUSH_TIMEOUT, FLUSH_IDLE);
	}

	/**
	 * Receives what the reader thread reads. Called on that thread: hand work off
	 * quickly.
	 */
	public interface Listener {

		/**
		 * A frame that is not a reply.
		 * @param envelope the frame
		 */
		void onMessage(Envelope envelope);

		/**
		 * A reply to no pending request: late (its request timed out) or bogus. It must
		 * not be answered.
		 * @param envelope the frame
		 */
		default void onUnmatchedReply(Envelope envelope) {
		}

		/**
		 * A frame could not be read. When fatal, {@link #onClosed()} follows.
		 * @param error what was wrong
		 */
		void onMalformed(MalformedFrameException error);

		/**
		 * The channel is closed: the peer has gone or the framing broke.
		 */
		void onClosed();

	}

}
