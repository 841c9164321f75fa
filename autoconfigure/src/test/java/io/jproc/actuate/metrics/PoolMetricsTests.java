package io.jproc.actuate.metrics;

import java.time.Duration;
import java.util.Map;

import io.jproc.actuate.PoolStatuses;
import io.jproc.ipc.PoolStatus;
import io.jproc.worker.PoolStatusClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PoolMetrics}.
 */
class PoolMetricsTests {

	@Test
	void metersReadTheLatestStatusWithoutWaiting() throws Exception {
		PoolStatusClient client = PoolStatuses.clientAnswering(PoolStatuses.pool("running", "ready", "backoff"));
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		new PoolMetrics(client).bindTo(registry);
		client.status().get();
		assertThat(registry.get("jproc.pool.workers.wanted").gauge().value()).isEqualTo(2);
		assertThat(registry.get("jproc.pool.workers.ready").gauge().value()).isEqualTo(1);
		assertThat(registry.get("jproc.pool.workers.draining").gauge().value()).isZero();
		assertThat(registry.get("jproc.pool.spares.ready").gauge().value()).isEqualTo(1);
		assertThat(registry.get("jproc.pool.restarts").tag("reason", "crash").functionCounter().count()).isEqualTo(1);
		assertThat(registry.get("jproc.pool.boot.time").tag("worker", "1").timeGauge().value())
			.isEqualTo(Duration.ofSeconds(4).toNanos() / 1e9);
	}

	@Test
	void droppedMessagesAreCountedByReason() throws Exception {
		PoolStatus pool = PoolStatuses.pool("running", "ready");
		PoolStatus status = new PoolStatus(pool.takenAt(), pool.master(), pool.slots(),
				new PoolStatus.Messaging(null, 0, 10, 3, 0, 0, Map.of("no-worker", 2L, "queue-full", 1L)),
				pool.spares());
		PoolStatusClient client = PoolStatuses.clientAnswering(status);
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		new PoolMetrics(client).bindTo(registry);
		client.status().get();
		assertThat(registry.get("jproc.pool.messages.dropped").tag("reason", "no-worker").functionCounter().count())
			.isEqualTo(2);
		assertThat(registry.get("jproc.pool.messages.dropped").tag("reason", "queue-full").functionCounter().count())
			.isEqualTo(1);
	}

	@Test
	void gaugesAreNaNBeforeTheMasterHasAnswered() {
		PoolStatusClient client = PoolStatuses.clientAnswering(new java.util.concurrent.CompletableFuture<>());
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		new PoolMetrics(client).bindTo(registry);
		assertThat(registry.get("jproc.pool.workers.ready").gauge().value()).isNaN();
	}

}
