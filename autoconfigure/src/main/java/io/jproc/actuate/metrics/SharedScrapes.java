package io.jproc.actuate.metrics;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

/**
 * Pool scrapes landing on this worker, coalesced: a scrape that arrives while one for the
 * same format and names is being gathered shares its result, so a flood of scrapes costs
 * one gathering (one request to the master, one scrape of each other worker, one merge)
 * at a time. At most {@link #MAX_GATHERINGS} different ones run at once; another is
 * refused ({@link Busy}) rather than queued. When every caller of a gathering has left
 * (the connection closed), the gathering is cancelled: its merge, the CPU part, is not
 * done.
 */
final class SharedScrapes {

	/** Different pool scrapes (format, names) gathered at once on one worker. */
	static final int MAX_GATHERINGS = 4;

	private final Function<Key, CompletableFuture<byte[]>> gather;

	private final Map<Key, Gathering> gatherings = new HashMap<>();

	private long started;

	private long shared;

	private long refused;

	/**
	 * Create the coalescer.
	 * @param gather starts one gathering
	 */
	SharedScrapes(Function<Key, CompletableFuture<byte[]>> gather) {
		this.gather = gather;
	}

	/**
	 * The result of the gathering for a key: the one running, or a new one.
	 * @param key the format and names
	 * @return the merged text; fails with {@link Busy} when {@link #MAX_GATHERINGS}
	 * others run
	 */
	Mono<byte[]> scrape(Key key) {
		return Mono.defer(() -> {
			Joined joined = join(key);
			if (joined == null) {
				return Mono.error(new Busy());
			}
			Gathering gathering = joined.gathering();
			if (joined.first()) {
				gathering.start();
			}
			return Mono.fromFuture(gathering.result, true)
				.doFinally((signal) -> leave(gathering, signal == SignalType.CANCEL));
		});
	}

	private synchronized @Nullable Joined join(Key key) {
		Gathering gathering = this.gatherings.get(key);
		if (gathering != null) {
			gathering.callers++;
			this.shared++;
			return new Joined(gathering, false);
		}
		if (this.gatherings.size() >= MAX_GATHERINGS) {
			this.refused++;
			return null;
		}
		gathering = new Gathering(key);
		gathering.callers = 1;
		this.gatherings.put(key, gathering);
		this.started++;
		return new Joined(gathering, true);
	}

	private void leave(Gathering gathering, boolean cancelled) {
		boolean abandon;
		synchronized (this) {
			gathering.callers--;
			abandon = cancelled && gathering.callers == 0 && !gathering.result.isDone();
			if (abandon) {
				this.gatherings.remove(gathering.key, gathering);
			}
		}
		if (abandon) {
			gathering.cancel();
		}
	}

	private synchronized void done(Gathering gathering) {
		this.gatherings.remove(gathering.key, gathering);
	}

	/**
	 * Gatherings started, callers that shared one, callers refused.
	 * @return the counts
	 */
	synchronized long[] counts() {
		return new long[] { this.started, this.shared, this.refused };
	}

	/**
	 * What a pool scrape asks for.
	 *
	 * @param format the text format's wire name
	 * @param names the series asked for, {@code null} for all
	 */
	record Key(String format, @Nullable List<String> names) {

		static Key of(String format, @Nullable Iterable<String> names) {
			if (names == null) {
				return new Key(format, null);
			}
			List<String> sorted = new java.util.ArrayList<>();
			names.forEach(sorted::add);
			sorted.sort(null);
			return new Key(format, List.copyOf(sorted));
		}

	}

	/**
	 * Too many different pool scrapes run on this worker: come back later.
	 */
	static final class Busy extends RuntimeException {

		Busy() {
			super("jproc: " + MAX_GATHERINGS + " different pool scrapes are already being gathered on this worker; "
					+ "retry in a second", null, false, false);
		}

	}

	private record Joined(Gathering gathering, boolean first) {
	}

	private final class Gathering {

		final Key key;

		final CompletableFuture<byte[]> result = new CompletableFuture<>();

		// guarded by the coalescer's lock
		int callers;

		private volatile @Nullable CompletableFuture<byte[]> work;

		Gathering(Key key) {
			this.key = key;
		}

		void start() {
			CompletableFuture<byte[]> work;
			try {
				work = SharedScrapes.this.gather.apply(this.key);
			}
			catch (RuntimeException ex) {
				work = CompletableFuture.failedFuture(ex);
			}
			this.work = work;
			work.whenComplete((bytes, failure) -> {
				// Gone from the map before its callers run: a later scrape gathers anew.
				done(this);
				if (failure != null) {
					this.result.completeExceptionally(failure);
				}
				else {
					this.result.complete(bytes);
				}
			});
		}

		void cancel() {
			CompletableFuture<byte[]> work = this.work;
			if (work != null) {
				work.cancel(false);
			}
			this.result.completeExceptionally(new CancellationException("every caller left"));
		}

	}

}
