package io.jproc.worker;

import java.time.Duration;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import io.jproc.JprocProperties;

/**
 * Warms a new worker's JIT before it takes connections: the application's own request
 * handling (every filter, controller and codec) is served on a private loopback port by
 * the server's {@link WorkerServer.Loopback}, never the shared socket, and
 * {@code jproc.warmup.requests} requests go to each of {@code jproc.warmup.paths}.
 * Warm-up requests carry a header with a token of this JVM, so {@link RequestTracker}
 * does not count them as served.
 */
final class WorkerWarmup {

	/** Header that marks warm-up requests. */
	static final String HEADER = "X-Jproc-Warmup";

	/** This JVM's token for {@link #HEADER}: no outside client can guess it. */
	static final String TOKEN = UUID.randomUUID().toString();

	private final JprocProperties.Warmup config;

	WorkerWarmup(JprocProperties.Warmup config) {
		this.config = config;
	}

	boolean isEnabled() {
		return this.config.isEnabled();
	}

	/**
	 * Serve the application on a loopback port and send the warm-up requests to it.
	 * @param loopback the application's request handling
	 * @param stop asked before every request: {@code true} ends the warm-up early (the
	 * worker is leaving, or it serves already)
	 * @return what was sent and how long it took
	 */
	Result run(WorkerServer.Loopback loopback, BooleanSupplier stop) {
		long start = System.nanoTime();
		long deadline = start + this.config.getTimeout().toNanos();
		try (WorkerServer.Bound server = loopback.bind()) {
			LoopbackRequests.Outcome outcome = LoopbackRequests.send(server.port(), this.config.getPaths(),
					this.config.getRequests(), this.config.getConcurrency(), HEADER + ": " + TOKEN + "\r\n",
					() -> stop.getAsBoolean() || System.nanoTime() > deadline);
			return new Result(outcome.answered(), outcome.failed(), Duration.ofNanos(System.nanoTime() - start));
		}
	}

	/**
	 * Whether a request is one of this JVM's warm-up requests.
	 * @param headerValue the value of {@link #HEADER}, {@code null} if absent
	 * @return {@code true} for a warm-up request
	 */
	static boolean isWarmup(String headerValue) {
		return TOKEN.equals(headerValue);
	}

	/**
	 * What a warm-up did.
	 *
	 * @param answered requests answered
	 * @param failed requests that could not be sent or read
	 * @param took how long it took
	 */
	record Result(int answered, int failed, Duration took) {
	}

}
