package io.jproc.actuate.health;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

import io.jproc.actuate.PoolStatuses;
import io.jproc.worker.MasterLink;
import io.jproc.worker.PoolStatusClient;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;

/**
 * Tests for {@link WorkersHealthIndicator}.
 */
class WorkersHealthIndicatorTests {

	@Test
	void upWhenEveryWantedWorkerIsReady() {
		Health health = healthOf(PoolStatuses.pool("running", "ready", "ready"));
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("wanted", 2)
			.containsEntry("ready", 2L)
			.containsEntry("workers", Map.of("1", "ready", "2", "ready"));
	}

	@Test
	void degradedWhileASlotIsEmpty() {
		Health health = healthOf(PoolStatuses.pool("running", "ready", "backoff"));
		assertThat(health.getStatus()).isEqualTo(WorkersHealthIndicator.DEGRADED);
		assertThat(health.getDetails()).containsEntry("ready", 1L);
	}

	@Test
	void degradedWithDetailsWhenTheMasterGivesUpOnASlot() {
		Health health = healthOf(PoolStatuses.pool("giving-up", "ready", "given-up"));
		assertThat(health.getStatus()).isEqualTo(WorkersHealthIndicator.DEGRADED);
		assertThat(health.getDetails()).containsEntry("master", "giving-up")
			.containsEntry("givenUp", java.util.List.of(2));
	}

	@Test
	void downWhenNoWorkerIsReady() {
		assertThat(healthOf(PoolStatuses.pool("running", "starting", "draining")).getStatus()).isEqualTo(Status.DOWN);
	}

	@Test
	void downWhenTheMasterIsShuttingDown() {
		assertThat(healthOf(PoolStatuses.pool("shutting-down", "ready", "ready")).getStatus()).isEqualTo(Status.DOWN);
	}

	@Test
	void detailsSayHowOldTheStatusIs() {
		assertThat(healthOf(PoolStatuses.pool("running", "ready", "ready")).getDetails())
			.containsEntry("statusAgeMillis", 0L);
	}

	@Test
	void downAtTheHealthTimeoutWhenTheMasterIsSilent() {
		MasterLink link = mock(MasterLink.class);
		given(link.request(any())).willReturn(new CompletableFuture<>());
		PoolStatusClient client = new PoolStatusClient(link, () -> 1, Duration.ofSeconds(5), Duration.ofSeconds(1),
				Duration.ofMillis(100));
		long start = System.nanoTime();
		Health health = new WorkersHealthIndicator(client).health().block(Duration.ofSeconds(5));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat(health.getDetails()).containsEntry("error",
				"the master did not answer within 100 ms (jproc.health.timeout); asking again in the background");
	}

	@Test
	void aMasterLateByLessThanTheStaleLimitIsAnsweredFromTheLastStatus() throws Exception {
		MasterLink link = mock(MasterLink.class);
		given(link.request(any()))
			.willReturn(CompletableFuture.completedFuture(PoolStatuses.pool("running", "ready", "ready")))
			.willReturn(new CompletableFuture<>());
		WorkersHealthIndicator indicator = new WorkersHealthIndicator(new PoolStatusClient(link, () -> 1,
				Duration.ofSeconds(5), Duration.ofMillis(50), Duration.ofMillis(100)));
		assertThat(indicator.health().block(Duration.ofSeconds(5)).getStatus()).isEqualTo(Status.UP);
		Thread.sleep(100);
		Health late = indicator.health().block(Duration.ofSeconds(5));
		assertThat(late.getStatus()).isEqualTo(Status.UP);
		assertThat(late.getDetails())
			.containsEntry("stale",
					"the master did not answer within 100 ms (jproc.health.timeout); asking again in the background")
			.doesNotContainKey("error");
		assertThat((Long) late.getDetails().get("statusAgeMillis")).isGreaterThanOrEqualTo(100);
	}

	@Test
	void probesShareOneRequestToTheMaster() {
		MasterLink link = mock(MasterLink.class);
		given(link.request(any()))
			.willReturn(CompletableFuture.completedFuture(PoolStatuses.pool("running", "ready", "ready")));
		WorkersHealthIndicator indicator = new WorkersHealthIndicator(
				new PoolStatusClient(link, 1, Duration.ofSeconds(5)));
		for (int i = 0; i < 500; i++) {
			assertThat(indicator.health().block(Duration.ofSeconds(5)).getStatus()).isEqualTo(Status.UP);
		}
		then(link).should(times(1)).request(any());
	}

	@Test
	void downWithTheReasonWhenTheMasterDoesNotAnswer() {
		Health health = new WorkersHealthIndicator(
				PoolStatuses.clientAnswering(CompletableFuture.failedFuture(new TimeoutException())))
			.health()
			.block(Duration.ofSeconds(5));
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat(health.getDetails()).containsEntry("error",
				"the master did not answer within 5000 ms (jproc.ipc.request-timeout)");
	}

	private static Health healthOf(io.jproc.ipc.PoolStatus status) {
		return new WorkersHealthIndicator(PoolStatuses.clientAnswering(status)).health().block(Duration.ofSeconds(5));
	}

}
