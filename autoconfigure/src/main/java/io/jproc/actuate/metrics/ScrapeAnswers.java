package io.jproc.actuate.metrics;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.LongSupplier;

import io.jproc.ipc.Message;
import org.jspecify.annotations.Nullable;

/**
 * This worker's answers to the master's requests for its own metrics, bounded:
 * <ul>
 * <li>requests for the same format and names that arrive while one waits or runs share
 * its answer (a flood of pool scrapes elsewhere costs one local scrape at a time);</li>
 * <li>at most {@link #MAX_PENDING} different ones wait or run at once; another is refused
 * at once ({@code busy}), and the master leaves this worker out of that scrape;</li>
 * <li>one that has not started when the master stopped waiting for every request it
 * answers ({@code jproc.ipc.scrape-timeout} after the last) is dropped unanswered: its
 * caller has left.</li>
 * </ul>
 */
final class ScrapeAnswers {

	/** Different scrapes (format, names) waiting or running at once. */
	static final int MAX_PENDING = 4;

	private final Function<Message.ScrapeRequest, String> scrape;

	private final Executor executor;

	private final LongSupplier nanoTime;

	private final long timeoutNanos;

	private final Map<Key, Pending> pending = new HashMap<>();

	private long dropped;

	private long refused;

	/**
	 * Create the answers.
	 * @param scrape renders this worker's metrics
	 * @param executor runs the scrapes, one at a time
	 * @param nanoTime the clock, as {@link System#nanoTime()}
	 * @param timeout how long the master waits for an answer
	 * ({@code jproc.ipc.scrape-timeout})
	 */
	ScrapeAnswers(Function<Message.ScrapeRequest, String> scrape, Executor executor, LongSupplier nanoTime,
			Duration timeout) {
		this.scrape = scrape;
		this.executor = executor;
		this.nanoTime = nanoTime;
		this.timeoutNanos = timeout.toNanos();
	}

	/**
	 * Answer a request of the master's.
	 * @param request the request
	 * @return the answer; failed when refused, cancelled (answer nothing) when dropped
	 */
	CompletableFuture<Message> answer(Message.ScrapeRequest request) {
		Key key = new Key(request.format(), request.includedNames());
		long deadline = this.nanoTime.getAsLong() + this.timeoutNanos;
		Pending started;
		synchronized (this) {
			Pending existing = this.pending.get(key);
			if (existing != null) {
				existing.deadline = deadline;
				return existing.answer;
			}
			if (this.pending.size() >= MAX_PENDING) {
				this.refused++;
				return CompletableFuture.failedFuture(new IllegalStateException(
						"busy: " + MAX_PENDING + " different scrapes already wait on this worker"));
			}
			started = new Pending(request, deadline);
			this.pending.put(key, started);
		}
		try {
			this.executor.execute(() -> run(key, started));
		}
		catch (RejectedExecutionException ex) {
			done(key, started);
			started.answer.completeExceptionally(new IllegalStateException("busy: " + ex.getMessage()));
		}
		return started.answer;
	}

	private void run(Key key, Pending pending) {
		long deadline;
		synchronized (this) {
			// From here on, a new request starts a new scrape: this one may already be
			// older than what it asks.
			this.pending.remove(key, pending);
			deadline = pending.deadline;
		}
		if (this.nanoTime.getAsLong() - deadline > 0) {
			synchronized (this) {
				this.dropped++;
			}
			pending.answer.completeExceptionally(new CancellationException("the master stopped waiting"));
			return;
		}
		try {
			pending.answer.complete(new Message.Scrape(this.scrape.apply(pending.request)));
		}
		catch (RuntimeException ex) {
			pending.answer.completeExceptionally(ex);
		}
	}

	private synchronized void done(Key key, Pending pending) {
		this.pending.remove(key, pending);
	}

	/**
	 * Requests dropped because the master had stopped waiting before they started.
	 * @return the count
	 */
	synchronized long dropped() {
		return this.dropped;
	}

	/**
	 * Requests refused because {@link #MAX_PENDING} others waited.
	 * @return the count
	 */
	synchronized long refused() {
		return this.refused;
	}

	private record Key(String format, @Nullable List<String> names) {
	}

	private static final class Pending {

		final Message.ScrapeRequest request;

		final CompletableFuture<Message> answer = new CompletableFuture<>();

		// The latest deadline of the requests it answers; guarded by the answers' lock.
		long deadline;

		Pending(Message.ScrapeRequest request, long deadline) {
			this.request = request;
			this.deadline = deadline;
		}

	}

}
