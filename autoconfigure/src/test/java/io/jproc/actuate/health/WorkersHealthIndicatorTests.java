package io.jproc.actuate.health;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

import io.jproc.actuate.PoolStatuses;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;

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
