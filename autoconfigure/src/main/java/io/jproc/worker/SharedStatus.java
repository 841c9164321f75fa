package io.jproc.worker;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.jproc.PoolState;
import io.jproc.ipc.IpcChannel;
import io.jproc.ipc.PoolStatus;
import org.jspecify.annotations.Nullable;

/**
 * The pool status a worker answers health probes and pool meters from, so that a flood of
 * either costs the master's loop nothing per request:
 * <ul>
 * <li>a status at most {@code maxAge} old ({@code jproc.health.max-age}) is served as it
 * is, without asking; a status of a pool that is not settled (a wanted worker not
 * serving, or the master not running) only while it is at most
 * {@value #UNSETTLED_MAX_AGE_MILLIS} ms old, so that a probe sees a pool become ready
 * within that time, not {@code maxAge} later;</li>
 * <li>an older one is refreshed by <em>one</em> request to the master at a time, which
 * every caller arriving meanwhile shares;</li>
 * <li>a caller waits for that refresh at most {@code timeout}
 * ({@code jproc.health.timeout}); past it, the refresh goes on for the next caller and
 * this one gets, at once, the last status with a note that it is stale, as long as that
 * status is at most {@code staleLimit} old ({@code max-age + jproc.ipc.request-timeout}:
 * no request has yet timed out since), else a reading that says the master did not
 * answer;</li>
 * <li>a refresh that failed is remembered for {@code maxAge}: callers in that window get
 * the failure at once instead of asking again.</li>
 * </ul>
 * So the master sees at most one status request per worker per {@code maxAge} (per
 * {@code jproc.ipc.request-timeout} while it does not answer), and no caller waits longer
 * than {@code timeout}. Any status another request brought ({@link #offer}) counts as a
 * refresh. Time comes from an injected clock, so the tests move it.
 */
public final class SharedStatus {

	/**
	 * The longest a status of a pool that is not settled is served without asking (capped
	 * at {@code maxAge}): such a pool is about to change (a worker booting, a restart),
	 * and a probe should see the change soon. Under a flood of probes this is at most ten
	 * requests a second per worker.
	 */
	static final long UNSETTLED_MAX_AGE_MILLIS = 100;

	private final Supplier<CompletableFuture<PoolStatus>> ask;

	private final LongSupplier nanoTime;

	private final long maxAgeNanos;

	private final long unsettledMaxAgeNanos;

	private final Duration timeout;

	private final long staleLimitNanos;

	private final AtomicReference<@Nullable CompletableFuture<PoolStatus>> inFlight = new AtomicReference<>();

	private final AtomicLong asked = new AtomicLong();

	private volatile @Nullable Known known;

	private volatile @Nullable Failed failed;

	/**
	 * Create the shared status.
	 * @param ask asks the master for a fresh status
	 * @param nanoTime the clock, as {@link System#nanoTime()}
	 * @param maxAge the age up to which a status is served without asking
	 * @param timeout the longest a caller waits for the master
	 * @param staleLimit the age up to which a status is still served, marked stale, when
	 * the master is late
	 */
	public SharedStatus(Supplier<CompletableFuture<PoolStatus>> ask, LongSupplier nanoTime, Duration maxAge,
			Duration timeout, Duration staleLimit) {
		this.ask = ask;
		this.nanoTime = nanoTime;
		this.maxAgeNanos = maxAge.toNanos();
		this.unsettledMaxAgeNanos = Math.min(this.maxAgeNanos, TimeUnit.MILLISECONDS.toNanos(UNSETTLED_MAX_AGE_MILLIS));
		this.timeout = timeout;
		this.staleLimitNanos = staleLimit.toNanos();
	}

	/**
	 * A status that some request brought, taken as fresh now.
	 * @param status the status
	 */
	public void offer(PoolStatus status) {
		this.known = new Known(status, this.nanoTime.getAsLong());
	}

	/**
	 * The status for a caller that cannot wait at all (a meter): the latest known, and a
	 * shared refresh started in the background when it is older than {@code maxAge}.
	 * @return the latest status, {@code null} before the first answer
	 */
	public @Nullable PoolStatus latest() {
		long now = this.nanoTime.getAsLong();
		Known known = this.known;
		if (known == null || !isFresh(known, now)) {
			refresh();
		}
		return (known != null) ? known.status() : null;
	}

	/**
	 * The status for a health probe: at once when it is at most {@code maxAge} old, else
	 * after the shared refresh, waiting at most {@code timeout}.
	 * @return the reading; never completes exceptionally
	 */
	public CompletableFuture<Reading> read() {
		long now = this.nanoTime.getAsLong();
		Known known = this.known;
		if (known != null && isFresh(known, now)) {
			return CompletableFuture.completedFuture(reading(known, null, now));
		}
		Failed failed = this.failed;
		if (failed != null && now - failed.atNanos() <= this.maxAgeNanos
				&& (known == null || failed.atNanos() - known.atNanos() > 0)) {
			return CompletableFuture.completedFuture(reading(known, failed.message(), now));
		}
		CompletableFuture<Reading> answer = new CompletableFuture<>();
		refresh().whenComplete((status, failure) -> {
			long at = this.nanoTime.getAsLong();
			Known latest = this.known;
			answer.complete(
					(failure != null) ? reading(latest, String.valueOf(IpcChannel.causeOf(failure).getMessage()), at)
							: reading(latest, null, at));
		});
		return answer.orTimeout(this.timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionally((late) -> late());
	}

	private boolean isFresh(Known known, long now) {
		return now - known.atNanos() <= (isSettled(known.status()) ? this.maxAgeNanos : this.unsettledMaxAgeNanos);
	}

	/**
	 * Whether a pool is settled: the master runs and every wanted worker serves.
	 * @param status the pool's status
	 * @return {@code true} when nothing is about to change
	 */
	static boolean isSettled(PoolStatus status) {
		long serving = status.slots().stream().filter(PoolStatus.Slot::isServing).count();
		return status.master().state() == PoolState.RUNNING && serving >= status.master().workersWanted();
	}

	private Reading late() {
		long now = this.nanoTime.getAsLong();
		Known known = this.known;
		String late = "the master did not answer within " + this.timeout.toMillis()
				+ " ms (jproc.health.timeout); asking again in the background";
		if (known != null && now - known.atNanos() <= this.staleLimitNanos) {
			Reading stale = reading(known, null, now);
			return new Reading(stale.status(), stale.ageMillis(), null, late);
		}
		return reading(known, late, now);
	}

	/**
	 * How many requests this has sent to the master.
	 * @return the count
	 */
	public long asked() {
		return this.asked.get();
	}

	/**
	 * The refresh in flight, or a new one; one at a time, shared by every caller.
	 * @return the master's answer
	 */
	CompletableFuture<PoolStatus> refresh() {
		while (true) {
			CompletableFuture<PoolStatus> current = this.inFlight.get();
			if (current != null) {
				return current;
			}
			CompletableFuture<PoolStatus> mine = new CompletableFuture<>();
			if (this.inFlight.compareAndSet(null, mine)) {
				this.asked.incrementAndGet();
				CompletableFuture<PoolStatus> asking;
				try {
					asking = this.ask.get();
				}
				catch (RuntimeException ex) {
					asking = CompletableFuture.failedFuture(ex);
				}
				asking.whenComplete((status, failure) -> {
					if (status != null) {
						offer(status);
					}
					else {
						this.failed = new Failed(String.valueOf(IpcChannel.causeOf(failure).getMessage()),
								this.nanoTime.getAsLong());
					}
					// Cleared before the callers run, so that one of them can ask again.
					this.inFlight.compareAndSet(mine, null);
					if (status != null) {
						mine.complete(status);
					}
					else {
						mine.completeExceptionally(IpcChannel.causeOf(failure));
					}
				});
				return mine;
			}
		}
	}

	private static Reading reading(@Nullable Known known, @Nullable String error, long now) {
		if (known == null) {
			return new Reading(null, -1, error, null);
		}
		return new Reading(known.status(), Math.max(0, TimeUnit.NANOSECONDS.toMillis(now - known.atNanos())), error,
				null);
	}

	/**
	 * What a health probe is told.
	 *
	 * @param status the latest status known, {@code null} before the first answer
	 * @param ageMillis how long ago it arrived, {@code -1} without one
	 * @param error why there is no status to go by: the master did not answer in time and
	 * the last status is older than the stale limit, or the last request failed;
	 * {@code null} when {@code status} can be used
	 * @param stale why {@code status} is older than max-age (the master is late), while
	 * it is still within the stale limit; {@code null} when it is fresh
	 */
	public record Reading(@Nullable PoolStatus status, long ageMillis, @Nullable String error, @Nullable String stale) {
	}

	private record Known(PoolStatus status, long atNanos) {
	}

	private record Failed(String message, long atNanos) {
	}

}
