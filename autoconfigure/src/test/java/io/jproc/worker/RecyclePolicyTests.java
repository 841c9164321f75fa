package io.jproc.worker;

import java.time.Duration;

import io.jproc.JprocProperties;
import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When a worker is due for recycling.
 */
class RecyclePolicyTests {

	private final JprocProperties.Recycle recycle = new JprocProperties().getRecycle();

	@Test
	void everyTriggerIsOffByDefault() {
		RecyclePolicy policy = RecyclePolicy.draw(this.recycle);
		assertThat(policy.requestLimit()).isZero();
		assertThat(policy.afterRequests(1_000_000)).isNull();
		assertThat(policy.afterGc(Long.MAX_VALUE)).isNull();
		assertThat(policy.atAge(Duration.ofDays(365))).isNull();
	}

	@Test
	void maxRequestsCountsThisWorkersJitter() {
		this.recycle.setMaxRequests(100);
		RecyclePolicy policy = new RecyclePolicy(this.recycle, 7);
		assertThat(policy.requestLimit()).isEqualTo(107);
		assertThat(policy.afterRequests(106)).isNull();
		assertThat(policy.afterRequests(107))
			.isEqualTo("served 107 requests, jproc.recycle.max-requests=100 + jitter 7");
	}

	@Test
	void jitterIsDrawnWithinItsBound() {
		this.recycle.setMaxRequests(100);
		this.recycle.setMaxRequestsJitter(10);
		for (int i = 0; i < 200; i++) {
			assertThat(RecyclePolicy.draw(this.recycle).requestLimit()).isBetween(100L, 110L);
		}
	}

	@Test
	void maxHeapLooksAtTheHeapInUseAfterGc() {
		this.recycle.setMaxHeap(DataSize.ofMegabytes(200));
		RecyclePolicy policy = RecyclePolicy.draw(this.recycle);
		assertThat(policy.afterGc(-1)).as("no GC yet").isNull();
		assertThat(policy.afterGc(DataSize.ofMegabytes(200).toBytes())).isNull();
		assertThat(policy.afterGc(DataSize.ofMegabytes(250).toBytes()))
			.isEqualTo("heap in use after GC 250 MB, jproc.recycle.max-heap=200MB");
	}

	@Test
	void maxAgeRecyclesOlderWorkers() {
		this.recycle.setMaxAge(Duration.ofHours(1));
		RecyclePolicy policy = RecyclePolicy.draw(this.recycle);
		assertThat(policy.atAge(Duration.ofMinutes(59))).isNull();
		assertThat(policy.atAge(Duration.ofMinutes(61))).isEqualTo("age 3660 s, jproc.recycle.max-age=3600s");
	}

}
