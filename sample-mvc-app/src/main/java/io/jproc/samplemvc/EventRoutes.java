package io.jproc.samplemvc;

import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.core.env.Environment;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * An event stream at {@code /events} that sends the worker's id and pid every 500 ms
 * until the client leaves or the worker ends it, the same as the WebFlux sample's.
 */
@RestController
class EventRoutes implements DisposableBean {

	private final Environment environment;

	private final long pid = ProcessHandle.current().pid();

	private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "sample-events");
		thread.setDaemon(true);
		return thread;
	});

	EventRoutes(Environment environment) {
		this.environment = environment;
	}

	/**
	 * An event stream of this worker's id and pid, every 500 ms.
	 * @return the emitter of the events
	 */
	@GetMapping(path = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	SseEmitter events() {
		SseEmitter emitter = new SseEmitter(0L);
		AtomicLong tick = new AtomicLong();
		AtomicReference<ScheduledFuture<?>> sending = new AtomicReference<>();
		Runnable stop = () -> {
			ScheduledFuture<?> future = sending.get();
			if (future != null) {
				future.cancel(false);
			}
		};
		emitter.onCompletion(stop);
		emitter.onError((error) -> stop.run());
		emitter.onTimeout(stop);
		sending.set(this.ticks.scheduleAtFixedRate(() -> {
			try {
				emitter.send(SseEmitter.event().id(Long.toString(tick.getAndIncrement())).data(holder()));
			}
			catch (IOException | IllegalStateException ex) {
				stop.run();
			}
		}, 0, 500, TimeUnit.MILLISECONDS));
		return emitter;
	}

	private String holder() {
		return "worker=" + this.environment.getProperty("jproc.worker.id", "0") + " pid=" + this.pid;
	}

	@Override
	public void destroy() {
		this.ticks.shutdownNow();
	}

}
