package io.jproc.ipc;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A number of bytes that several queues draw from and give back, such as the master's
 * relay: every destination's queue of application frames takes its frames' bytes from the
 * relay's budget too, so that the relay as a whole holds at most {@link #limit()}.
 * Thread-safe and lock-free.
 * <p>
 * The bounds derive from {@code jproc.messaging.queue-capacity} and
 * {@code jproc.messaging.max-payload} ({@link #perDestination}, {@link #wholeRelay}):
 * {@code queue-capacity × max-payload} alone would let one destination hold a gigabyte
 * with the defaults.
 */
public final class ByteBudget {

	/** Bytes of a frame besides its payload: envelope, topic, length prefix. */
	public static final long FRAME_OVERHEAD = 1024;

	/** The least a destination may hold when its message count allows it. */
	public static final long MIN_DESTINATION_BYTES = 8L * 1024 * 1024;

	/** The relay holds at most this many destinations' worth of bytes. */
	public static final int RELAY_DESTINATIONS = 4;

	private final long limit;

	private final AtomicLong used = new AtomicLong();

	/**
	 * Create a budget.
	 * @param limit the most bytes drawn at once, at least 1
	 */
	public ByteBudget(long limit) {
		if (limit < 1) {
			throw new IllegalArgumentException("limit must be at least 1, not " + limit);
		}
		this.limit = limit;
	}

	/**
	 * Draw bytes if the budget has them.
	 * @param bytes how many
	 * @return {@code true} if drawn, {@code false} if that would go over the limit
	 */
	public boolean tryAcquire(long bytes) {
		while (true) {
			long now = this.used.get();
			if (now + bytes > this.limit) {
				return false;
			}
			if (this.used.compareAndSet(now, now + bytes)) {
				return true;
			}
		}
	}

	/**
	 * Give bytes back.
	 * @param bytes how many, as drawn
	 */
	public void release(long bytes) {
		this.used.addAndGet(-bytes);
	}

	/**
	 * The bytes drawn now.
	 * @return the bytes
	 */
	public long used() {
		return this.used.get();
	}

	/**
	 * The most bytes drawn at once.
	 * @return the limit
	 */
	public long limit() {
		return this.limit;
	}

	/**
	 * The bytes of application frames one destination may have waiting:
	 * {@code queue-capacity} frames of {@code max-payload}, but no more than the larger
	 * of 8 MiB and two frames of {@code max-payload} (8 MiB with the defaults, 1024 × 1
	 * MB). An empty queue takes any one frame whatever its size.
	 * @param queueCapacity {@code jproc.messaging.queue-capacity}
	 * @param maxPayload {@code jproc.messaging.max-payload} in bytes
	 * @return the bytes
	 */
	public static long perDestination(int queueCapacity, long maxPayload) {
		long frame = maxPayload + FRAME_OVERHEAD;
		long all = (long) Math.max(1, queueCapacity) * frame;
		return Math.min(all, Math.max(MIN_DESTINATION_BYTES, 2 * frame));
	}

	/**
	 * The bytes of application frames the master's relay may hold for all destinations
	 * together: {@value #RELAY_DESTINATIONS} destinations' worth (32 MiB with the
	 * defaults).
	 * @param perDestination what one destination may hold
	 * @return the bytes
	 */
	public static long wholeRelay(long perDestination) {
		return RELAY_DESTINATIONS * perDestination;
	}

}
