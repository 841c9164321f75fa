package io.jproc.sample;

import java.time.Duration;
import java.util.Map;

import io.jproc.worker.JprocWorker;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.context.ApplicationContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Endpoints that put the worker serving them in trouble, for the retirement tests. They
 * exist only with {@code sample.trouble-endpoints=true}: never expose them.
 */
@RestController
@ConditionalOnBooleanProperty("sample.trouble-endpoints")
class TroubleRoutes {

	private static final org.apache.commons.logging.Log logger = org.apache.commons.logging.LogFactory
		.getLog(TroubleRoutes.class);

	private final ApplicationContext context;

	private final ObjectProvider<JprocWorker> worker;

	private final int workerId;

	private final long pid = ProcessHandle.current().pid();

	TroubleRoutes(ApplicationContext context, ObjectProvider<JprocWorker> worker,
			@Value("${jproc.worker.id:0}") int workerId) {
		this.context = context;
		this.worker = worker;
		this.workerId = workerId;
	}

	/**
	 * Throws an OutOfMemoryError on the Reactor Netty thread serving the request (no heap
	 * is exhausted). WebFlux alone would turn it into a 500 and carry on.
	 * @return never: it always throws
	 */
	@GetMapping("/trouble/oom")
	Map<String, Object> outOfMemory() {
		throw new OutOfMemoryError("simulated by /trouble/oom");
	}

	/**
	 * Publishes {@link LivenessState#BROKEN}, then answers after {@code ms} milliseconds:
	 * the worker stops accepting at once but this in-flight request still completes.
	 * @param ms the delay in milliseconds, at most one minute
	 * @return the worker id, pid and liveness, once the delay has passed
	 */
	@GetMapping("/trouble/break-liveness")
	Mono<Map<String, Object>> breakLiveness(@RequestParam(defaultValue = "0") long ms) {
		AvailabilityChangeEvent.publish(this.context, LivenessState.BROKEN);
		return Mono.delay(Duration.ofMillis(Math.max(0, Math.min(ms, 60_000))))
			.map((tick) -> Map.of("worker", this.workerId, "pid", this.pid, "liveness", "BROKEN"));
	}

	/**
	 * Logs {@code lines} INFO lines of about {@code size} characters each, off the event
	 * loop: a worker flooding the standard output it shares with the master and the other
	 * workers. When nobody reads that output, the call blocks in the logging system, as
	 * any application thread that logs would.
	 * @param lines how many lines, at most a million
	 * @param size the length of each, at most 10,000
	 * @return the worker id, pid and the lines logged, once written
	 */
	@GetMapping("/trouble/log-flood")
	Mono<Map<String, Object>> logFlood(@RequestParam(defaultValue = "1000") int lines,
			@RequestParam(defaultValue = "200") int size) {
		int count = Math.max(0, Math.min(lines, 1_000_000));
		String filler = "x".repeat(Math.max(0, Math.min(size, 10_000)));
		return Mono.fromCallable(() -> {
			for (int i = 0; i < count; i++) {
				logger.info("flood line " + i + " " + filler);
			}
			return Map.<String, Object>of("worker", this.workerId, "pid", this.pid, "lines", count);
		}).subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic());
	}

	/**
	 * Writes a bad frame straight onto this worker's channel to the master, as a buggy or
	 * hostile library in the worker could: {@code json} (a frame that is not JSON),
	 * {@code type} (an unknown message type) or {@code oversize} (a length over the
	 * limit, after which the master can no longer find frame boundaries and closes the
	 * channel).
	 * @param kind {@code json}, {@code type} or {@code oversize}
	 * @return the worker id, pid and the kind sent
	 * @throws java.io.IOException if the frame cannot be written
	 */
	@GetMapping("/trouble/garbage-to-master")
	Map<String, Object> garbageToMaster(@RequestParam String kind) throws java.io.IOException {
		byte[] payload = switch (kind) {
			case "json" -> "{not json at all".getBytes(java.nio.charset.StandardCharsets.UTF_8);
			case "type" -> "{\"v\":1,\"seq\":987654321,\"re\":0,\"type\":\"launch-missiles\",\"body\":{}}"
				.getBytes(java.nio.charset.StandardCharsets.UTF_8);
			case "oversize" -> null;
			default -> throw new IllegalArgumentException("kind must be json, type or oversize");
		};
		java.nio.ByteBuffer frame = (payload != null)
				? java.nio.ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload)
				: java.nio.ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE);
		frame.flip();
		// Not closed: closing would shut the channel down for the worker's own use too.
		jnr.unixsocket.UnixSocketChannel channel = jnr.unixsocket.UnixSocketChannel
			.fromFD(Integer.parseInt(System.getenv("JPROC_CHANNEL_FD")));
		while (frame.hasRemaining()) {
			channel.write(frame);
		}
		return Map.of("worker", this.workerId, "pid", this.pid, "sent", kind);
	}

	/**
	 * Asks jproc to replace this worker, through the application's API.
	 * @param reason why, for the master's log
	 * @return the worker id, pid and whether the retirement was asked for
	 */
	@GetMapping("/trouble/retire")
	Map<String, Object> retire(@RequestParam(defaultValue = "asked by /trouble/retire") String reason) {
		JprocWorker current = this.worker.getIfAvailable();
		boolean asked = current != null && current.retire(reason);
		return Map.of("worker", this.workerId, "pid", this.pid, "asked", asked);
	}

}
