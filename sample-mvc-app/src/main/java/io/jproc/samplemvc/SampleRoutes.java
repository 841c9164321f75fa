package io.jproc.samplemvc;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.jproc.worker.JprocWorker;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Endpoints that show which worker served a request, the same as the WebFlux sample's.
 */
@RestController
class SampleRoutes {

	private static final long MAX_DELAY_MILLIS = 120_000;

	private final Environment environment;

	private final ObjectProvider<JprocWorker> worker;

	private final long pid = ProcessHandle.current().pid();

	private final String message;

	SampleRoutes(Environment environment, ObjectProvider<JprocWorker> worker,
			@Value("${sample.message:hello}") String message) {
		this.environment = environment;
		this.worker = worker;
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
	 * Answers like {@code /} after {@code ms} milliseconds on a request thread, for drain
	 * tests.
	 * @param ms the delay in milliseconds, at most two minutes
	 * @return the worker id, pid and delay, once the delay has passed
	 * @throws InterruptedException if interrupted while waiting
	 */
	@GetMapping("/slow")
	Map<String, Object> slow(@RequestParam(defaultValue = "1000") long ms) throws InterruptedException {
		long delay = Math.max(0, Math.min(ms, MAX_DELAY_MILLIS));
		Thread.sleep(delay);
		return Map.of("worker", workerId(), "pid", this.pid, "delayMillis", delay, "thread",
				Thread.currentThread().getName());
	}

	/**
	 * Answers like {@code /slow}, asynchronously (the request thread is released while it
	 * waits): counted in flight until it completes.
	 * @param ms the delay in milliseconds, at most two minutes
	 * @return the answer, once the delay has passed
	 */
	@GetMapping("/slow-async")
	CompletableFuture<Map<String, Object>> slowAsync(@RequestParam(defaultValue = "1000") long ms) {
		long delay = Math.max(0, Math.min(ms, MAX_DELAY_MILLIS));
		return CompletableFuture.supplyAsync(() -> Map.of("worker", workerId(), "pid", this.pid, "delayMillis", delay),
				CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS));
	}

	/**
	 * Throws an OutOfMemoryError on the request thread (no heap is exhausted): the worker
	 * retires at once.
	 * @return never: it always throws
	 */
	@GetMapping("/trouble/oom")
	Map<String, Object> outOfMemory() {
		throw new OutOfMemoryError("simulated by /trouble/oom");
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
		return Map.of("worker", workerId(), "pid", this.pid, "asked", asked);
	}

	/**
	 * This worker's id, read per request: a spare that takes a slot becomes that worker.
	 * @return the worker id, 0 outside a pool
	 */
	private int workerId() {
		return this.environment.getProperty("jproc.worker.id", Integer.class, 0);
	}

}
