package io.jproc.sample;

import java.time.Duration;
import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Endpoints that show which worker served a request.
 */
@RestController
class SampleRoutes {

	private static final long MAX_DELAY_MILLIS = 120_000;

	private final Environment environment;

	private final long pid = ProcessHandle.current().pid();

	private final String message;

	SampleRoutes(Environment environment, @Value("${sample.message:hello}") String message) {
		this.environment = environment;
		this.message = message;
	}

	/**
	 * The worker id and pid that served this request, and the configured message.
	 * @return the worker id, pid and message
	 */
	@GetMapping("/")
	Map<String, Object> hello() {
		return Map.of("worker", workerId(), "pid", this.pid, "message", this.message);
	}

	/**
	 * This worker's id, read per request: a spare worker that takes a slot becomes that
	 * worker, while a {@code @Value} field would keep the id it had at start (0).
	 * @return the worker id, 0 outside a pool
	 */
	private int workerId() {
		return this.environment.getProperty("jproc.worker.id", Integer.class, 0);
	}

	/**
	 * Answers like {@code /} after {@code ms} milliseconds, for drain tests.
	 * @param ms the delay in milliseconds, at most two minutes
	 * @return the worker id, pid and delay, once the delay has passed
	 */
	@GetMapping("/slow")
	Mono<Map<String, Object>> slow(@RequestParam(defaultValue = "1000") long ms) {
		long delay = Math.max(0, Math.min(ms, MAX_DELAY_MILLIS));
		return Mono.delay(Duration.ofMillis(delay))
			.map((tick) -> Map.of("worker", workerId(), "pid", this.pid, "delayMillis", delay));
	}

}
