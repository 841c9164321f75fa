package io.jproc.sample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.jproc.ipc.QueueFullException;
import io.jproc.messaging.GatherOutcome;
import io.jproc.messaging.JprocLeadership;
import io.jproc.messaging.JprocListener;
import io.jproc.messaging.JprocMessenger;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Messages between workers and leader-only work, shown by the sample app.
 */
@RestController
class MessagingRoutes {

	private static final Log logger = LogFactory.getLog(MessagingRoutes.class);

	private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);

	private final JprocMessenger messenger;

	private final JprocLeadership leadership;

	private final long pid = ProcessHandle.current().pid();

	private final List<String> received = new ArrayList<>();

	private volatile long floodReceived;

	private final ApplicationEventPublisher events;

	MessagingRoutes(JprocMessenger messenger, JprocLeadership leadership, ApplicationEventPublisher events) {
		this.messenger = messenger;
		this.leadership = leadership;
		this.events = events;
	}

	/**
	 * Broadcasts {@code text} to every worker; with {@code count}, that many texts
	 * {@code text-0}, {@code text-1}... from this one sender.
	 * @param text the text
	 * @param count how many numbered texts to send, {@code 0} for {@code text} itself
	 * @return this worker's id and the text
	 */
	@PostMapping("/sample/broadcast")
	Map<String, Object> broadcast(@RequestParam String text, @RequestParam(defaultValue = "0") int count) {
		if (count <= 0) {
			this.messenger.broadcast("sample.text", text);
		}
		for (int i = 0; i < count; i++) {
			this.messenger.broadcast("sample.text", text + "-" + i);
		}
		return Map.of("worker", this.messenger.workerId(), "broadcast", text);
	}

	@JprocListener("sample.text")
	void onText(String text) {
		synchronized (this.received) {
			this.received.add(text);
		}
	}

	/**
	 * The texts this worker received, in order.
	 * @return this worker's id and pid, the texts and the number of flood messages
	 * received
	 */
	@GetMapping("/sample/received")
	Map<String, Object> received() {
		synchronized (this.received) {
			return Map.of("worker", this.messenger.workerId(), "pid", this.pid, "received", List.copyOf(this.received),
					"floodReceived", this.floodReceived);
		}
	}

	/**
	 * Publishes a {@link TextPublished} event here; jproc relays it to the other workers.
	 * @param text the event's text
	 * @return this worker's id and the text
	 */
	@PostMapping("/sample/event")
	Map<String, Object> event(@RequestParam String text) {
		this.events.publishEvent(new TextPublished(text, this.messenger.workerId()));
		return Map.of("worker", this.messenger.workerId(), "published", text);
	}

	@EventListener
	void onTextPublished(TextPublished event) {
		synchronized (this.received) {
			this.received.add("event:" + event.text());
		}
	}

	/**
	 * Asks worker {@code id} who it is.
	 * @param id the worker to ask
	 * @return the answering worker's id and pid, and the round trip time
	 */
	@GetMapping("/sample/ask/{id}")
	Mono<Map<String, Object>> ask(@PathVariable int id) {
		long start = System.nanoTime();
		return this.messenger.ask(id, "sample.whoami", id, Map.class, ASK_TIMEOUT).map((answer) -> {
			Map<String, Object> result = new LinkedHashMap<>();
			result.put("servedBy", this.messenger.workerId());
			result.put("askedWorker", id);
			result.put("answeredPid", answer.get("pid"));
			result.put("answeredWorker", answer.get("worker"));
			result.put("roundTripMicros", (System.nanoTime() - start) / 1000);
			return result;
		});
	}

	@JprocListener("sample.whoami")
	Map<String, Object> whoami(int askedFor) {
		return Map.of("worker", this.messenger.workerId(), "pid", this.pid, "askedFor", askedFor);
	}

	/**
	 * Asks every worker to wait {@code ms} (worker {@code slowWorker} only) and gathers.
	 * @param slowWorker the worker that waits
	 * @param ms how long it waits, in milliseconds
	 * @param timeoutMs how long to gather, in milliseconds
	 * @return each worker's outcome
	 */
	@GetMapping("/sample/gather")
	Mono<List<GatherOutcome<Map>>> gather(@RequestParam(defaultValue = "0") int slowWorker,
			@RequestParam(defaultValue = "0") long ms, @RequestParam(defaultValue = "2000") long timeoutMs) {
		return this.messenger.gather("sample.nap", Map.of("worker", slowWorker, "ms", ms), Map.class,
				Duration.ofMillis(timeoutMs));
	}

	@JprocListener("sample.nap")
	Map<String, Object> nap(Map<String, Number> request) throws InterruptedException {
		if (request.get("worker").intValue() == this.messenger.workerId()) {
			Thread.sleep(request.get("ms").longValue());
		}
		return Map.of("worker", this.messenger.workerId(), "pid", this.pid);
	}

	/**
	 * Sends {@code count} messages of {@code size} characters to every worker; with
	 * {@code retry}, waits and retries when the queue is full (for the benchmark).
	 * @param count the number of messages
	 * @param size the number of characters of each
	 * @param topic the topic to send them on
	 * @param retry whether to wait and retry when the queue is full
	 * @return how many were sent and refused, and the last refusal's message
	 */
	@PostMapping("/sample/flood")
	Mono<Map<String, Object>> flood(@RequestParam int count, @RequestParam(defaultValue = "100") int size,
			@RequestParam(defaultValue = "sample.flood") String topic,
			@RequestParam(defaultValue = "false") boolean retry) {
		return Mono.fromCallable(() -> flood(count, "x".repeat(size), topic, retry))
			.subscribeOn(Schedulers.boundedElastic());
	}

	private Map<String, Object> flood(int count, String text, String topic, boolean retry) throws InterruptedException {
		int sent = 0;
		int refused = 0;
		String error = null;
		for (int i = 0; i < count; i++) {
			try {
				this.messenger.broadcast(topic, text);
				sent++;
			}
			catch (QueueFullException ex) {
				refused++;
				error = ex.getMessage();
				if (retry) {
					Thread.sleep(1);
					i--;
				}
			}
		}
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("sent", sent);
		result.put("refused", refused);
		result.put("error", error);
		return result;
	}

	@JprocListener("sample.flood")
	void onFlood(String text) {
		this.floodReceived++;
	}

	/**
	 * Blocks this worker's listener of {@code sample.block} for {@code ms} on every
	 * worker.
	 * @param ms how long to block, in milliseconds
	 * @return the time asked for
	 */
	@PostMapping("/sample/block")
	Map<String, Object> block(@RequestParam long ms) {
		this.messenger.broadcast("sample.block", ms);
		return Map.of("blocking", ms);
	}

	@JprocListener("sample.block")
	void onBlock(Object ms) throws InterruptedException {
		if (ms instanceof Number millis) {
			Thread.sleep(millis.longValue());
		}
	}

	/**
	 * Sends a payload of {@code size} characters: over the limit it is refused here.
	 * @param size the number of characters
	 * @param topic the topic to send it on
	 * @return the size sent
	 */
	@PostMapping("/sample/send-big")
	Map<String, Object> sendBig(@RequestParam int size, @RequestParam(defaultValue = "sample.text") String topic) {
		this.messenger.broadcast(topic, "y".repeat(size));
		return Map.of("sent", size);
	}

	/**
	 * Whether this worker leads.
	 * @return this worker's id and pid, whether it leads and the leadership epoch
	 */
	@GetMapping("/sample/leader")
	Map<String, Object> leader() {
		return Map.of("worker", this.messenger.workerId(), "pid", this.pid, "leader", this.leadership.isLeader(),
				"epoch", this.leadership.epoch());
	}

	/** Runs only on the leader (jproc's default for {@code @Scheduled} in a pool). */
	@Scheduled(fixedRateString = "${sample.leader-tick:1s}")
	void leaderTick() {
		logger.info("worker " + this.messenger.workerId() + " leader tick epoch=" + this.leadership.epoch() + " pid="
				+ this.pid);
	}

	@ExceptionHandler(IllegalArgumentException.class)
	ResponseEntity<Map<String, Object>> refused(IllegalArgumentException ex) {
		return ResponseEntity.status(HttpStatus.BAD_REQUEST).body(Map.of("error", ex.getMessage()));
	}

	@ExceptionHandler(RuntimeException.class)
	ResponseEntity<Map<String, Object>> failed(RuntimeException ex) {
		return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
			.body(Map.of("error", String.valueOf(ex.getMessage())));
	}

}
