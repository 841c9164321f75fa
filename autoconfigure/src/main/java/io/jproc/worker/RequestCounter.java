package io.jproc.worker;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;

import org.jspecify.annotations.Nullable;

/**
 * Counts the requests this worker serves and has in flight (for heartbeats, the drain
 * report and {@code jproc.recycle.max-requests}) and hands every error of request
 * handling to the worker's fatal error guard. Server-neutral: each server's request
 * filter calls {@link #started()} and {@link #finished()} once per request, and skips the
 * worker's own warm-up requests ({@link #isWarmup(String)}).
 * <p>
 * Internal to jproc: public for the server packages.
 */
public final class RequestCounter implements Requests {

	private final AtomicLong served = new AtomicLong();

	private final AtomicLong inFlight = new AtomicLong();

	private final BiConsumer<Throwable, Thread> errors;

	private final LongConsumer onServed;

	/**
	 * Create a counter.
	 * @param errors receives every error of request handling, with its thread
	 * @param onServed receives the number of requests served so far after each one
	 */
	public RequestCounter(BiConsumer<Throwable, Thread> errors, LongConsumer onServed) {
		this.errors = errors;
		this.onServed = onServed;
	}

	/**
	 * The name of the header that marks this JVM's warm-up requests.
	 * @return the header name
	 */
	public static String warmupHeader() {
		return WorkerWarmup.HEADER;
	}

	/**
	 * Whether a request is one of this JVM's own warm-up requests, which are served but
	 * neither counted nor in flight.
	 * @param headerValue the value of {@link #warmupHeader()}, {@code null} if absent
	 * @return {@code true} for a warm-up request
	 */
	public boolean isWarmup(@Nullable String headerValue) {
		return headerValue != null && WorkerWarmup.isWarmup(headerValue);
	}

	/**
	 * A request has started.
	 */
	public void started() {
		this.inFlight.incrementAndGet();
	}

	/**
	 * A request that {@link #started()} has ended, whatever its outcome. Call once.
	 */
	public void finished() {
		finished(true);
	}

	/**
	 * A request that {@link #started()} has ended, whatever its outcome. Call once.
	 * @param inFlight whether it was still counted in flight ({@code false} once
	 * {@link #leftInFlight()} was called for it)
	 */
	public void finished(boolean inFlight) {
		if (inFlight) {
			this.inFlight.decrementAndGet();
		}
		this.onServed.accept(this.served.incrementAndGet());
	}

	/**
	 * A request that {@link #started()} is no longer in flight though it has not ended:
	 * it turned into a long-lived connection (a WebSocket, an event stream), which
	 * {@link LongLivedConnections} counts instead. Call at most once per request, then
	 * end it with {@code finished(false)}.
	 */
	public void leftInFlight() {
		this.inFlight.decrementAndGet();
	}

	/**
	 * An error of request handling, on the current thread: a fatal JVM error retires the
	 * worker at once.
	 * @param error the error
	 */
	public void failed(Throwable error) {
		this.errors.accept(error, Thread.currentThread());
	}

	@Override
	public long served() {
		return this.served.get();
	}

	@Override
	public long inFlight() {
		return this.inFlight.get();
	}

}
