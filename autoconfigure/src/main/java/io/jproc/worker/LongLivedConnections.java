package io.jproc.worker;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The long-lived connections of this worker (WebSocket sessions, event streams), counted
 * apart from in-flight requests, and told to go away when the worker leaves: each
 * registers what "go away" means for it (a close frame with 1001, the end of the stream).
 * Registered by the web-framework side ({@code io.jproc.worker.webflux}), used by
 * {@link WorkerDeparture}.
 * <p>
 * Internal to jproc: public for the packages of each web framework.
 */
public final class LongLivedConnections {

	/**
	 * Attribute of a request (a WebFlux exchange's) holding a {@link Runnable} that moves
	 * the request out of the in-flight count, once it turns out to be long-lived. Set by
	 * the request counting; the absence means there is nothing to move.
	 */
	public static final String LEAVES_IN_FLIGHT = LongLivedConnections.class.getName() + ".leavesInFlight";

	private final Map<Long, Registration> open = new ConcurrentHashMap<>();

	private final AtomicLong ids = new AtomicLong();

	private final Object changed = new Object();

	private volatile boolean sentAway;

	/**
	 * Register a long-lived connection. If the worker already told its long-lived
	 * connections to go away, this one is told at once.
	 * @param kind what it is, such as {@code websocket} or {@code event-stream}
	 * @param goAway tells the connection to go away; called at most once, on any thread
	 * @return the registration, to be closed when the connection ends
	 */
	public Registration open(String kind, Runnable goAway) {
		Registration registration = new Registration(this.ids.incrementAndGet(), kind, goAway);
		this.open.put(registration.id, registration);
		if (this.sentAway) {
			registration.goAway();
		}
		return registration;
	}

	/**
	 * The long-lived connections open now.
	 * @return the count
	 */
	public int count() {
		return this.open.size();
	}

	/**
	 * The long-lived connections open now of one kind.
	 * @param kind the kind given to {@link #open}
	 * @return the count
	 */
	public long count(String kind) {
		return this.open.values().stream().filter((registration) -> registration.kind.equals(kind)).count();
	}

	/**
	 * Tell every open long-lived connection, and every one opened from now on, to go
	 * away.
	 * @return how many were told
	 */
	int sendAway() {
		this.sentAway = true;
		int told = 0;
		for (Registration registration : this.open.values()) {
			if (registration.goAway()) {
				told++;
			}
		}
		return told;
	}

	/**
	 * Wait until no long-lived connection is open, or the time is up.
	 * @param timeout how long to wait at most
	 * @return {@code true} if none is open
	 * @throws InterruptedException if interrupted while waiting
	 */
	boolean awaitNone(Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		synchronized (this.changed) {
			while (!this.open.isEmpty()) {
				long left = deadline - System.nanoTime();
				if (left <= 0) {
					return false;
				}
				this.changed.wait(Math.max(1, left / 1_000_000));
			}
		}
		return true;
	}

	/**
	 * One long-lived connection, to be closed when it ends, however it ends.
	 */
	public final class Registration implements AutoCloseable {

		private final long id;

		private final String kind;

		private final Runnable goAway;

		private boolean told;

		Registration(long id, String kind, Runnable goAway) {
			this.id = id;
			this.kind = kind;
			this.goAway = goAway;
		}

		private boolean goAway() {
			synchronized (this) {
				if (this.told) {
					return false;
				}
				this.told = true;
			}
			try {
				this.goAway.run();
			}
			catch (RuntimeException ex) {
				// The connection is closing already: nothing more to tell it.
			}
			return true;
		}

		/**
		 * The connection has ended.
		 */
		@Override
		public void close() {
			if (LongLivedConnections.this.open.remove(this.id) != null) {
				synchronized (LongLivedConnections.this.changed) {
					LongLivedConnections.this.changed.notifyAll();
				}
			}
		}

	}

}
