package io.jproc.ipc;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The frames one {@link IpcChannel} has yet to write, and their bounds: jproc's own
 * frames (control) ahead of the application's, each bounded in bytes, the application's
 * also in number and optionally by a {@link ByteBudget} shared with other channels; and
 * the write deadline that tells a peer that stopped reading. The channel's writer thread
 * takes batches from here; senders only add, and never wait.
 */
final class FrameQueues {

	private static final Log logger = LogFactory.getLog(FrameQueues.class);

	/** Most bytes of small frames written together in one write. */
	static final int BATCH_BYTES = 64 * 1024;

	private final String name;

	private final AtomicBoolean closed;

	/** Guards the queues and their counters; never held while writing. */
	private final Object lock = new Object();

	private final ArrayDeque<byte[]> control = new ArrayDeque<>();

	private final ArrayDeque<byte[]> app = new ArrayDeque<>();

	/** Bytes of control frames queued or being written. */
	private long controlBytes;

	/** Bytes of application frames queued or being written. */
	private long appBytes;

	private int appCapacity = IpcChannel.DEFAULT_APP_QUEUE;

	private long appByteLimit = IpcChannel.DEFAULT_APP_BYTES;

	private @Nullable ByteBudget shared;

	private boolean overflowed;

	private long dropped;

	/** When the peer last took bytes, or when bytes began to wait; {@code nanoTime}. */
	private volatile long progressNanos = System.nanoTime();

	private volatile long writeDeadlineNanos = IpcChannel.DEFAULT_WRITE_DEADLINE.toNanos();

	private final AtomicBoolean stallLogged = new AtomicBoolean();

	/**
	 * Create the queues of a channel.
	 * @param name the channel's name, for messages
	 * @param closed the channel's closed flag: nothing is added once it is set
	 */
	FrameQueues(String name, AtomicBoolean closed) {
		this.name = name;
		this.closed = closed;
	}

	void limits(int capacity, long bytes, @Nullable ByteBudget shared) {
		synchronized (this.lock) {
			if (this.shared != null && this.shared != shared) {
				this.shared.release(this.appBytes);
				if (shared != null) {
					shared.tryAcquire(this.appBytes);
				}
			}
			else if (this.shared == null && shared != null) {
				shared.tryAcquire(this.appBytes);
			}
			this.appCapacity = Math.max(1, capacity);
			this.appByteLimit = Math.max(1, bytes);
			this.shared = shared;
		}
	}

	void writeDeadline(Duration deadline) {
		this.writeDeadlineNanos = deadline.toNanos();
	}

	int queued() {
		synchronized (this.lock) {
			return this.app.size();
		}
	}

	long pendingBytes() {
		synchronized (this.lock) {
			return this.controlBytes + this.appBytes;
		}
	}

	long droppedFrames() {
		synchronized (this.lock) {
			return this.dropped;
		}
	}

	boolean overflowed() {
		synchronized (this.lock) {
			return this.overflowed;
		}
	}

	/**
	 * Whether the peer is not reading: bytes have waited and none was taken for longer
	 * than the write deadline, or jproc's own frames overflowed their budget.
	 * @return how long the peer has taken nothing, {@code null} while it reads or nothing
	 * waits
	 */
	@Nullable Duration stalled() {
		long silent = System.nanoTime() - this.progressNanos;
		synchronized (this.lock) {
			if (!this.overflowed && (this.controlBytes + this.appBytes == 0 || silent <= this.writeDeadlineNanos)) {
				return null;
			}
			dropApplicationFrames();
		}
		if (this.stallLogged.compareAndSet(false, true)) {
			logger.warn("channel to " + this.name + ": the peer took none of the bytes waiting for it in "
					+ TimeUnit.NANOSECONDS.toMillis(silent) + " ms"
					+ (this.overflowed ? " and jproc's own frames overflowed" : "")
					+ "; it is not reading, its waiting application messages are dropped");
		}
		return Duration.ofNanos(Math.max(0, silent));
	}

	/**
	 * Add one of jproc's own frames.
	 * @param frame the frame
	 * @return whether it was added: not once the channel is closed or overflowed (the
	 * peer has not read thousands of frames: it is hung)
	 */
	boolean addControl(byte[] frame) {
		synchronized (this.lock) {
			if (this.closed.get() || this.overflowed) {
				return false;
			}
			if (!this.control.isEmpty() && this.controlBytes + frame.length > IpcChannel.CONTROL_BYTES) {
				// The peer has not read thousands of our frames: it is hung. Nothing more
				// is queued for it; the master replaces it (stalled()).
				this.overflowed = true;
				dropApplicationFrames();
				return false;
			}
			waiting();
			this.control.add(frame);
			this.controlBytes += frame.length;
			this.lock.notifyAll();
		}
		return true;
	}

	/**
	 * Add an application frame behind the others.
	 * @param frame the frame
	 * @return whether it was added: not once the channel is closed or overflowed
	 * @throws QueueFullException if a bound is reached or the peer is not reading
	 */
	boolean addApp(byte[] frame) {
		synchronized (this.lock) {
			if (this.closed.get() || this.overflowed) {
				return false;
			}
			if (pastDeadline()) {
				dropApplicationFrames();
				throw new QueueFullException("the peer of the channel to " + this.name + " has read nothing for "
						+ TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.progressNanos)
						+ " ms; message not sent");
			}
			if (!this.app.isEmpty()
					&& (this.app.size() >= this.appCapacity || this.appBytes + frame.length > this.appByteLimit)) {
				throw new QueueFullException("the queue of application messages to " + this.name + " is full ("
						+ this.app.size() + " messages, " + this.appBytes + " bytes waiting; at most "
						+ this.appCapacity + " and " + this.appByteLimit
						+ " bytes, from jproc.messaging.queue-capacity and max-payload); message not sent");
			}
			if (this.shared != null && !this.shared.tryAcquire(frame.length)) {
				throw new QueueFullException("the master's relay holds " + this.shared.used() + " of its "
						+ this.shared.limit() + " bytes of application messages (from jproc.messaging.queue-capacity "
						+ "and max-payload); message to " + this.name + " not sent");
			}
			waiting();
			this.app.add(frame);
			this.appBytes += frame.length;
			this.lock.notifyAll();
		}
		return true;
	}

	/** The peer took bytes. */
	void progressed() {
		this.progressNanos = System.nanoTime();
	}

	/**
	 * Wait for frames and move the next batch to {@code batch}: jproc's own first; small
	 * frames waiting together go out in one write, so a control frame waits for at most
	 * one such write ({@link #BATCH_BYTES}) or one large application frame.
	 * @param batch receives the frames
	 * @return the bytes taken, to give to {@link #written}; {@code null} once the channel
	 * is closed
	 * @throws InterruptedException if the writer is interrupted
	 */
	@Nullable Taken next(List<byte[]> batch) throws InterruptedException {
		synchronized (this.lock) {
			while (this.control.isEmpty() && this.app.isEmpty() && !this.closed.get()) {
				this.lock.wait();
			}
			if (this.closed.get()) {
				return null;
			}
			long controlTaken = take(this.control, batch, 0);
			long appTaken = (controlTaken < BATCH_BYTES) ? take(this.app, batch, controlTaken) : 0;
			return new Taken(controlTaken, appTaken);
		}
	}

	/**
	 * A batch has been written (or failed): its bytes no longer wait.
	 * @param taken what {@link #next} took
	 */
	void written(Taken taken) {
		synchronized (this.lock) {
			this.controlBytes -= taken.control();
			this.appBytes -= taken.app();
			if (this.shared != null) {
				this.shared.release(taken.app());
			}
		}
	}

	/** The writer has ended: nothing waits any more. */
	void clear() {
		synchronized (this.lock) {
			dropApplicationFrames();
			this.control.clear();
			this.controlBytes = 0;
		}
	}

	/** Wake the writer and any flush: the channel closes. */
	void wake() {
		synchronized (this.lock) {
			this.lock.notifyAll();
		}
	}

	/**
	 * Give the frames still waiting a short chance to go out: while the peer keeps taking
	 * bytes, for at most {@code timeout}; not at all once it took nothing for
	 * {@code idle}.
	 * @param timeout the longest wait
	 * @param idle the longest time without progress
	 */
	void flush(Duration timeout, Duration idle) {
		long start = System.nanoTime();
		synchronized (this.lock) {
			while (!this.closed.get() && !this.overflowed && this.controlBytes + this.appBytes > 0) {
				long now = System.nanoTime();
				if (now - start > timeout.toNanos() || now - this.progressNanos > idle.toNanos()) {
					return;
				}
				try {
					this.lock.wait(10);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
			}
		}
	}

	// Whether the peer has taken nothing for longer than the deadline; under the lock.
	private boolean pastDeadline() {
		return this.overflowed || (this.controlBytes + this.appBytes > 0
				&& System.nanoTime() - this.progressNanos > this.writeDeadlineNanos);
	}

	/** Bytes begin to wait: the deadline counts from now. Under the lock. */
	private void waiting() {
		if (this.controlBytes + this.appBytes == 0) {
			this.progressNanos = System.nanoTime();
		}
	}

	/** Under the lock: frames being written are not in the queue. */
	private void dropApplicationFrames() {
		long bytes = 0;
		for (byte[] frame : this.app) {
			bytes += frame.length;
		}
		this.dropped += this.app.size();
		this.app.clear();
		this.appBytes -= bytes;
		if (this.shared != null) {
			this.shared.release(bytes);
		}
	}

	// Move frames from a queue to the batch up to BATCH_BYTES (at least one); the bytes.
	private static long take(ArrayDeque<byte[]> queue, List<byte[]> batch, long already) {
		long size = already;
		byte[] next;
		while ((next = queue.peek()) != null && (size == 0 || size + next.length <= BATCH_BYTES)) {
			batch.add(queue.poll());
			size += next.length;
		}
		return size - already;
	}

	/**
	 * The bytes one batch took from each queue.
	 *
	 * @param control from jproc's own frames
	 * @param app from the application's
	 */
	record Taken(long control, long app) {

		long bytes() {
			return this.control + this.app;
		}

	}

}
