package io.jproc.worker;

import java.time.Duration;

import io.jproc.JprocProperties;
import io.jproc.ipc.Message;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link Heartbeats}: beats with the worker's figures from the application's
 * readiness on, the age trigger checked on the beat, nothing after destroy; on a fake
 * channel.
 */
class HeartbeatsTests {

	private static final Duration INTERVAL = Duration.ofMillis(20);

	private static Heartbeats heartbeats(WorkerSide worker, JprocProperties.Recycle recycle, Requests requests) {
		SelfRetirement retirement = new SelfRetirement(worker.identity, worker.link, worker.departure);
		return new Heartbeats(worker.link, requests, new LongLivedConnections(), () -> -1, RecyclePolicy.draw(recycle),
				retirement, INTERVAL, worker.context);
	}

	private static Requests requests() {
		return new RequestCounter(new FatalErrorGuard(() -> "worker 1", (reason) -> {
		})::report, (served) -> {
		});
	}

	private static ApplicationReadyEvent ready(WorkerSide worker) {
		return new ApplicationReadyEvent(new SpringApplication(), new String[0], worker.context, Duration.ZERO);
	}

	@Test
	void beatsWithTheWorkersFiguresOnceTheApplicationIsReady() throws Exception {
		try (WorkerSide worker = new WorkerSide(1)) {
			Heartbeats heartbeats = heartbeats(worker, new JprocProperties.Recycle(), requests());
			try {
				Thread.sleep(INTERVAL.toMillis() * 5);
				assertThat(worker.channel.sent(Message.Heartbeat.class)).as("no beat before ready").isEmpty();
				heartbeats.onApplicationEvent(ready(worker));
				WorkerSide.eventually(() -> worker.channel.sent(Message.Heartbeat.class).size() >= 3);
				Message.Heartbeat beat = worker.channel.sent(Message.Heartbeat.class).get(0);
				assertThat(beat.heapUsed()).isPositive();
				assertThat(beat.requestsServed()).isZero();
				assertThat(worker.channel.sent(Message.Retire.class)).as("no trigger set").isEmpty();
			}
			finally {
				heartbeats.destroy();
			}
		}
	}

	@Test
	void maxAgeRetiresOnTheBeatOnce() {
		JprocProperties.Recycle recycle = new JprocProperties.Recycle();
		recycle.setMaxAge(Duration.ofMillis(1));
		try (WorkerSide worker = new WorkerSide(1)) {
			Heartbeats heartbeats = heartbeats(worker, recycle, requests());
			try {
				heartbeats.onApplicationEvent(ready(worker));
				WorkerSide.eventually(() -> worker.channel.sent(Message.Heartbeat.class).size() >= 3);
				assertThat(worker.channel.sent(Message.Retire.class)).singleElement()
					.satisfies((retire) -> assertThat(retire.reason()).contains("jproc.recycle.max-age"))
					.satisfies((retire) -> assertThat(retire.urgent()).isFalse());
			}
			finally {
				heartbeats.destroy();
			}
		}
	}

	@Test
	void noBeatAfterDestroy() throws Exception {
		try (WorkerSide worker = new WorkerSide(1)) {
			Heartbeats heartbeats = heartbeats(worker, new JprocProperties.Recycle(), requests());
			heartbeats.onApplicationEvent(ready(worker));
			WorkerSide.eventually(() -> !worker.channel.sent(Message.Heartbeat.class).isEmpty());
			heartbeats.destroy();
			Thread.sleep(INTERVAL.toMillis());
			int beats = worker.channel.sent(Message.Heartbeat.class).size();
			Thread.sleep(INTERVAL.toMillis() * 5);
			assertThat(worker.channel.sent(Message.Heartbeat.class)).hasSize(beats);
		}
	}

}
