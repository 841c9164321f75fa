package io.jproc.worker;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fatal JVM error retires the worker wherever it is thrown; other errors do not.
 */
class FatalErrorGuardTests {

	private final BlockingQueue<String> retired = new LinkedBlockingQueue<>();

	private final FatalErrorGuard guard = new FatalErrorGuard(() -> "worker 1", this.retired::add);

	@AfterEach
	void uninstall() {
		this.guard.destroy();
	}

	@Test
	void fatalErrorOnAReactorSchedulerThreadRetiresTheWorker() throws Exception {
		Mono.delay(Duration.ofMillis(1), Schedulers.parallel()).map((tick) -> {
			throw new OutOfMemoryError("on a scheduler");
		}).subscribe((ignored) -> {
		}, (error) -> {
		});
		assertThat(this.retired.poll(5, TimeUnit.SECONDS)).startsWith("OutOfMemoryError on thread parallel-")
			.endsWith(": on a scheduler");
	}

	@Test
	void fatalErrorOnAPlainThreadRetiresTheWorker() throws Exception {
		Thread thread = new Thread(() -> {
			throw new StackOverflowError();
		}, "plain");
		thread.start();
		thread.join(5_000);
		assertThat(this.retired.poll(5, TimeUnit.SECONDS)).isEqualTo("StackOverflowError on thread plain");
	}

	@Test
	void fatalErrorAsTheCauseOfAnotherRetiresTheWorkerOnce() {
		RuntimeException wrapped = new IllegalStateException("wrapped", new InternalError("deep"));
		assertThat(this.guard.report(wrapped, Thread.currentThread())).isTrue();
		assertThat(this.guard.report(new OutOfMemoryError(), Thread.currentThread())).isTrue();
		assertThat(this.retired).hasSize(1);
	}

	@Test
	void ordinaryErrorsDoNotRetireTheWorker() {
		assertThat(this.guard.report(new IllegalArgumentException("bad input"), Thread.currentThread())).isFalse();
		assertThat(this.retired).isEmpty();
	}

	@Test
	void requestTrackerSeesAFatalErrorThrownByAHandlerAndCountsTheRequestAsDone() throws Exception {
		RequestTracker tracker = new RequestTracker(this.guard, (served) -> {
		});
		WebTestClient client = WebTestClient.bindToController(new Trouble())
			.webFilter(tracker)
			.configureClient()
			.responseTimeout(Duration.ofSeconds(30))
			.build();
		client.get().uri("/fine").exchange().expectStatus().isOk();
		try {
			// This exchange never answers: a short timeout, unlike the one of /fine that
			// must answer even on a loaded machine.
			client.mutate().responseTimeout(Duration.ofSeconds(1)).build().get().uri("/oom").exchange();
		}
		catch (OutOfMemoryError | IllegalStateException ex) {
			// Reactor rethrows a fatal error raised while subscribing: that exchange
			// never
			// answers (on a real server its connection is closed).
		}
		assertThat(this.retired.poll(5, TimeUnit.SECONDS)).startsWith("OutOfMemoryError on thread ")
			.endsWith(": in a handler");
		assertThat(tracker.served()).isEqualTo(2);
		assertThat(tracker.inFlight()).isZero();
	}

	@RestController
	static class Trouble {

		@GetMapping("/fine")
		String fine() {
			return "fine";
		}

		@GetMapping("/oom")
		String oom() {
			throw new OutOfMemoryError("in a handler");
		}

	}

}
