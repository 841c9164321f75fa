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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import jnr.unixsocket.UnixSocketChannel;

/**
 * One end of the private channel between master and a worker: a connected Unix socket
 * (one end of a socketpair) carrying length-prefixed JSON frames. A daemon thread reads
 * frames and hands them to a {@link Listener}; replies are matched to their request by
 * sequence number. Sending is thread-safe.
 * <p>
 * Two kinds of frames share the socket. jproc's own (heartbeats, stop, leadership,
 * replies) are written at once by the caller; application messages wait in a bounded
 * queue that one writer thread empties, one frame at a time. The write lock is fair, so a
 * control frame waits for at most the one application frame being written, never for the
 * queue.
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

	/** Fair, so that a control frame is written right after the frame in progress. */
	private final ReentrantLock writeLock = new ReentrantLock(true);

	private volatile BlockingQueue<byte[]> appQueue = new ArrayBlockingQueue<>(DEFAULT_APP_QUEUE);

	private final AtomicBoolean appWriterStarted = new AtomicBoolean();

	/** Most bytes of small application frames written together in one write. */
	private static final int BATCH_BYTES = 64 * 1024;

	/** Application frames queued when no capacity is configured. */
	public static final int DEFAULT_APP_QUEUE = 1024;

	private IpcChannel(UnixSocketChannel socket, String name) throws IOException {
		this.socket = socket;
		this.name = name;
		socket.configureBlocking(true);
		// Not Channels.newInputStream/newOutputStream: for a selectable channel both hold
		// its blocking lock, so a reader blocked in read would stall every writer.
		this.in = new DataInputStream(new BufferedInputStream(new SocketInput(socket), 64 * 1024));
		this.out = new SocketOutput(socket);
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
	 * Send a message that expects no reply.
	 * @param message the message
	 * @return whether it was written (false once the channel is closed or broken)
	 */
	@Override
	public boolean send(Message message) {
		return write(new Envelope(this.nextSeq.incrementAndGet(), 0, message));
	}

	/**
	 * Answer a request.
	 * @param request the request's envelope
	 * @param message the answer
	 * @return whether it was written
	 */
	@Override
	public boolean reply(Envelope request, Message message) {
		return reply(request.seq(), message);
	}

	/**
	 * Answer a request by its sequence number.
	 * @param requestSeq the request's sequence number
	 * @param message the answer
	 * @return whether it was written
	 */
	@Override
	public boolean reply(long requestSeq, Message message) {
		return write(new Envelope(this.nextSeq.incrementAndGet(), requestSeq, message));
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
		if (!write(new Envelope(seq, 0, message))) {
			this.pending.remove(seq);
			reply.completeExceptionally(new IOException("channel to " + this.name + " is closed"));
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

	private boolean write(Envelope envelope) {
		if (this.closed.get()) {
			return false;
		}
		return writeFrame(FrameCodec.encode(envelope));
	}

	private static byte[] concat(List<byte[]> frames, int size) {
		if (frames.size() == 1) {
			return frames.get(0);
		}
		ByteBuffer all = ByteBuffer.allocate(size);
		frames.forEach(all::put);
		return all.array();
	}

	private boolean writeFrame(byte[] frame) {
		this.writeLock.lock();
		try {
			if (this.descriptorClosed) {
				return false;
			}
			this.out.write(frame);
			this.out.flush();
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

	/**
	 * Set how many application frames may wait to be written. Call before the first
	 * {@link #queue}.
	 * @param capacity the capacity, at least 1
	 */
	public void appQueueCapacity(int capacity) {
		this.appQueue = new ArrayBlockingQueue<>(capacity);
	}

	/**
	 * Queue an application message that expects no reply, behind earlier ones; jproc's
	 * own frames overtake it.
	 * @param message the message
	 * @return whether it was queued (false once the channel is closed)
	 * @throws QueueFullException if the queue is full: the message is not sent
	 * @throws IllegalArgumentException if the frame is over
	 * {@link FrameCodec#MAX_FRAME_BYTES}
	 */
	public boolean queue(Message message) {
		return enqueue(new Envelope(this.nextSeq.incrementAndGet(), 0, message));
	}

	/**
	 * Queue an application message as a request, like {@link #request} but behind earlier
	 * application messages.
	 * @param message the request
	 * @param timeout how long to wait for the reply
	 * @return the reply, as with {@link #request}; fails at once with
	 * {@link QueueFullException} when the queue is full
	 */
	public CompletableFuture<Message> queueRequest(Message message, Duration timeout) {
		long seq = this.nextSeq.incrementAndGet();
		CompletableFuture<Message> reply = new CompletableFuture<>();
		this.pending.put(seq, reply);
		try {
			if (!enqueue(new Envelope(seq, 0, message))) {
				this.pending.remove(seq);
				reply.completeExceptionally(new IOException("channel to " + this.name + " is closed"));
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
		return this.appQueue.size();
	}

	private boolean enqueue(Envelope envelope) {
		if (this.closed.get()) {
			return false;
		}
		byte[] frame = FrameCodec.encode(envelope);
		if (!this.appQueue.offer(frame)) {
			throw new QueueFullException("the queue of application messages to " + this.name + " is full ("
					+ (this.appQueue.size() + this.appQueue.remainingCapacity())
					+ " waiting, jproc.messaging.queue-capacity); message not sent");
		}
		if (this.appWriterStarted.compareAndSet(false, true)) {
			Thread writer = new Thread(this::writeLoop, "jproc-ipc-writer-" + this.name.replace(' ', '-'));
			writer.setDaemon(true);
			writer.start();
		}
		return true;
	}

	private void writeLoop() {
		List<byte[]> batch = new ArrayList<>();
		try {
			while (!this.closed.get()) {
				byte[] first = this.appQueue.poll(1, TimeUnit.SECONDS);
				if (first == null) {
					continue;
				}
				// Small frames waiting together go out in one write; a control frame
				// still
				// waits for at most one such write (BATCH_BYTES) or one large frame.
				batch.clear();
				batch.add(first);
				int size = first.length;
				byte[] next;
				while (size < BATCH_BYTES && (next = this.appQueue.peek()) != null
						&& size + next.length <= BATCH_BYTES) {
					batch.add(this.appQueue.poll());
					size += next.length;
				}
				if (!writeFrame(concat(batch, size))) {
					break;
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.appQueue.clear();
	}

	/**
	 * Write raw bytes, bypassing the codec. Only for tests of the peer's validation.
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
			try {
				// shutdown wakes our own blocked reader and shows the peer an end of
				// stream
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

	@Override
	public void close() {
		closeQuietly();
		failPending("channel to " + this.name + " closed");
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

	private static final class SocketInput extends InputStream {

		private final UnixSocketChannel socket;

		private final ByteBuffer direct = ByteBuffer.allocateDirect(64 * 1024);

		SocketInput(UnixSocketChannel socket) {
			this.socket = socket;
		}

		@Override
		public int read() throws IOException {
			byte[] one = new byte[1];
			return (read(one, 0, 1) < 0) ? -1 : (one[0] & 0xff);
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			if (length == 0) {
				return 0;
			}
			// Through a direct buffer: jnr does not honour the position of a heap
			// buffer that wraps part of an array (IpcChannelTests, order across batches).
			this.direct.clear().limit(Math.min(length, this.direct.capacity()));
			int count;
			do {
				count = this.socket.read(this.direct);
			}
			while (count == 0);
			if (count > 0) {
				this.direct.flip();
				this.direct.get(buffer, offset, count);
			}
			return count;
		}

	}

	private static final class SocketOutput extends OutputStream {

		private final UnixSocketChannel socket;

		private final ByteBuffer direct = ByteBuffer.allocateDirect(64 * 1024);

		SocketOutput(UnixSocketChannel socket) {
			this.socket = socket;
		}

		@Override
		public void write(int b) throws IOException {
			write(new byte[] { (byte) b }, 0, 1);
		}

		@Override
		public void write(byte[] bytes, int offset, int length) throws IOException {
			// Through a direct buffer, a chunk at a time: see SocketInput.read.
			int done = 0;
			while (done < length) {
				int chunk = Math.min(length - done, this.direct.capacity());
				this.direct.clear();
				this.direct.put(bytes, offset + done, chunk).flip();
				while (this.direct.hasRemaining()) {
					if (this.socket.write(this.direct) < 0) {
						throw new IOException("channel closed");
					}
				}
				done += chunk;
			}
		}

	}

}
