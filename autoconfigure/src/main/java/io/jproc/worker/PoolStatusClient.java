package io.jproc.worker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

import io.jproc.ipc.IpcChannel;
import io.jproc.ipc.MalformedFrameException;
import io.jproc.ipc.Message;
import io.jproc.ipc.PoolStatus;
import org.jspecify.annotations.Nullable;

/**
 * Asks the master about the whole pool: its status and, for a Prometheus scrape, the
 * other workers' metrics. Every answer arrives within {@code jproc.ipc.request-timeout}
 * or fails with a {@link MasterQueryException} that says what went wrong. Keeps the
 * latest status in a {@link SharedStatus}, which health probes and meters read: a flood
 * of either asks the master at most once per {@code jproc.health.max-age}.
 * <p>
 * Internal to jproc: public because the actuator packages (endpoint, health, metrics)
 * build on it; applications read the pool through {@code /actuator/workers}.
 */
public final class PoolStatusClient {

	/** {@code jproc.health.max-age} by default. */
	static final Duration DEFAULT_MAX_AGE = Duration.ofSeconds(1);

	/** {@code jproc.health.timeout} by default. */
	static final Duration DEFAULT_HEALTH_TIMEOUT = Duration.ofMillis(500);

	private final MasterLink link;

	private final IntSupplier workerId;

	private final Duration requestTimeout;

	private final List<Consumer<PoolStatus>> listeners = new CopyOnWriteArrayList<>();

	private final SharedStatus shared;

	/**
	 * Create a client on this worker's channel.
	 * @param link the channel to the master
	 * @param workerId this worker's id
	 * @param requestTimeout how long the link waits for an answer
	 * ({@code jproc.ipc.request-timeout}), for messages
	 */
	public PoolStatusClient(MasterLink link, int workerId, Duration requestTimeout) {
		this(link, () -> workerId, requestTimeout);
	}

	/**
	 * Create a client on this worker's channel, for a worker whose id may change (a spare
	 * that takes a slot).
	 * @param link the channel to the master
	 * @param workerId reads this worker's current id
	 * @param requestTimeout how long the link waits for an answer
	 * ({@code jproc.ipc.request-timeout}), for messages
	 */
	public PoolStatusClient(MasterLink link, IntSupplier workerId, Duration requestTimeout) {
		this(link, workerId, requestTimeout, DEFAULT_MAX_AGE, DEFAULT_HEALTH_TIMEOUT);
	}

	/**
	 * Create a client on this worker's channel.
	 * @param link the channel to the master
	 * @param workerId reads this worker's current id
	 * @param requestTimeout how long the link waits for an answer
	 * ({@code jproc.ipc.request-timeout}), for messages
	 * @param maxAge how old a status health and meters may read
	 * ({@code jproc.health.max-age})
	 * @param healthTimeout how long a health probe waits for a fresher one
	 * ({@code jproc.health.timeout})
	 */
	public PoolStatusClient(MasterLink link, IntSupplier workerId, Duration requestTimeout, Duration maxAge,
			Duration healthTimeout) {
		this.link = link;
		this.workerId = workerId;
		this.requestTimeout = requestTimeout;
		this.shared = new SharedStatus(this::status, System::nanoTime, maxAge, healthTimeout,
				maxAge.plus(requestTimeout));
	}

	/**
	 * This worker's id now.
	 * @return the id, {@code 0} while this worker is a spare
	 */
	public int workerId() {
		return this.workerId.getAsInt();
	}

	/**
	 * Ask the master for the pool's status.
	 * @return the status, or a {@link MasterQueryException}
	 */
	public CompletableFuture<PoolStatus> status() {
		return ask(new Message.PoolStatusRequest(), PoolStatus.class).thenApply(this::remember);
	}

	/**
	 * Ask the master for every other ready worker's metrics.
	 * @param format {@code prometheus} or {@code openmetrics}
	 * @param includedNames only these series, {@code null} for all
	 * @return the other workers' parts and the pool's status, or a
	 * {@link MasterQueryException}
	 */
	public CompletableFuture<Message.PoolScrape> scrape(String format, @Nullable List<String> includedNames) {
		return ask(new Message.PoolScrapeRequest(format, includedNames), Message.PoolScrape.class)
			.thenApply((scrape) -> {
				remember(scrape.pool());
				return scrape;
			});
	}

	/**
	 * Ask the master to change the pool (reload, scale, restart).
	 * @param command the command
	 * @return whether the master took it, or a {@link MasterQueryException}
	 */
	public CompletableFuture<Message.CommandResult> command(Message.Command command) {
		return ask(command, Message.CommandResult.class);
	}

	/**
	 * The latest status any request brought, without waiting. When it is older than
	 * {@code jproc.health.max-age}, the shared refresh is started in the background for
	 * the next caller.
	 * @return the latest status, {@code null} before the first answer
	 */
	public @Nullable PoolStatus latest() {
		return this.shared.latest();
	}

	/**
	 * The status for a health probe: at most {@code jproc.health.max-age} old, from one
	 * request shared by every concurrent caller, waiting at most
	 * {@code jproc.health.timeout}.
	 * @return the reading, which says when the master did not answer
	 */
	public CompletableFuture<SharedStatus.Reading> recent() {
		return this.shared.read();
	}

	/**
	 * The status health and meters share.
	 * @return the shared status
	 */
	public SharedStatus shared() {
		return this.shared;
	}

	/**
	 * Be told of every new status.
	 * @param listener called on the thread that received the status
	 */
	public void onStatus(Consumer<PoolStatus> listener) {
		this.listeners.add(listener);
	}

	private PoolStatus remember(PoolStatus status) {
		this.shared.offer(status);
		this.listeners.forEach((listener) -> listener.accept(status));
		return status;
	}

	private <T extends Message> CompletableFuture<T> ask(Message request, Class<T> expected) {
		Duration timeout = this.requestTimeout;
		CompletableFuture<Message> reply;
		try {
			reply = this.link.request(request);
		}
		catch (RuntimeException ex) {
			reply = CompletableFuture.failedFuture(ex);
		}
		return reply.handle((answer, failure) -> {
			if (failure != null) {
				throw new MasterQueryException(describe(failure, timeout), IpcChannel.causeOf(failure));
			}
			if (expected.isInstance(answer)) {
				return expected.cast(answer);
			}
			if (answer instanceof Message.Failure refused) {
				throw new MasterQueryException("the master refused: " + refused.message(), null);
			}
			throw new MasterQueryException("the master answered " + answer.getClass().getSimpleName() + " instead of "
					+ expected.getSimpleName(), null);
		});
	}

	private static String describe(Throwable failure, Duration timeout) {
		Throwable cause = IpcChannel.causeOf(failure);
		if (cause instanceof TimeoutException) {
			return "the master did not answer within " + timeout.toMillis() + " ms (jproc.ipc.request-timeout)";
		}
		if (cause instanceof MalformedFrameException) {
			return "the master's answer could not be read: " + cause.getMessage();
		}
		return "the master could not be asked: " + cause.getMessage();
	}

	/**
	 * The master could not be asked, did not answer in time, or answered something
	 * unreadable or unexpected.
	 */
	public static final class MasterQueryException extends RuntimeException {

		MasterQueryException(String message, @Nullable Throwable cause) {
			super(message, cause);
		}

		/**
		 * Whether the master simply did not answer in time.
		 * @return {@code true} on a timeout
		 */
		public boolean isTimeout() {
			return getCause() instanceof TimeoutException;
		}

	}

}
