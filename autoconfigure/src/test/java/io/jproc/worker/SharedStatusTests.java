package io.jproc.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.jproc.actuate.PoolStatuses;
import io.jproc.ipc.PoolStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SharedStatus}: a fake clock for ages, a master the test answers by
 * hand, and real threads for the concurrent callers.
 */
class SharedStatusTests {

	private static final Duration MAX_AGE = Duration.ofSeconds(1);

	private static final Duration STALE_LIMIT = Duration.ofSeconds(6);

	private static final PoolStatus UP = PoolStatuses.pool("running", "ready", "ready");

	private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

	private final List<CompletableFuture<PoolStatus>> asks = new ArrayList<>();

	private final ExecutorService callers = Executors.newFixedThreadPool(16);

	@AfterEach
	void stopCallers() {
		this.callers.shutdownNow();
	}

	@Test
	void aStatusYoungerThanMaxAgeIsServedWithoutAsking() throws Exception {
		SharedStatus shared = shared(Duration.ofSeconds(5));
		CompletableFuture<SharedStatus.Reading> first = shared.read();
		assertThat(shared.asked()).isOne();
		answer(0, UP);
		assertThat(first.get(1, TimeUnit.SECONDS).status()).isSameAs(UP);
		for (int i = 0; i < 1000; i++) {
			advance(Duration.ofMillis(1));
			SharedStatus.Reading reading = shared.read().getNow(null);
			assertThat(reading).as("served at once").isNotNull();
			assertThat(reading.status()).isSameAs(UP);
			assertThat(reading.error()).isNull();
			assertThat(reading.ageMillis()).isEqualTo(i + 1);
		}
		assertThat(shared.asked()).as("requests to the master within max-age").isOne();
		advance(Duration.ofMillis(1));
		CompletableFuture<SharedStatus.Reading> stale = shared.read();
		assertThat(shared.asked()).as("older than max-age: asked again").isEqualTo(2);
		assertThat(stale).isNotDone();
		answer(1, UP);
		assertThat(stale.get(1, TimeUnit.SECONDS).ageMillis()).isZero();
	}

	@Test
	void aStatusOfAPoolThatIsNotSettledIsFreshOnlyBriefly() throws Exception {
		PoolStatus booting = PoolStatuses.pool("running", "ready", "starting");
		assertThat(SharedStatus.isSettled(booting)).isFalse();
		assertThat(SharedStatus.isSettled(UP)).isTrue();
		SharedStatus shared = shared(Duration.ofSeconds(5));
		CompletableFuture<SharedStatus.Reading> first = shared.read();
		answer(0, booting);
		assertThat(first.get(1, TimeUnit.SECONDS).status()).isSameAs(booting);
		advance(Duration.ofMillis(SharedStatus.UNSETTLED_MAX_AGE_MILLIS));
		assertThat(shared.read().getNow(null).status()).as("still fresh").isSameAs(booting);
		assertThat(shared.asked()).isOne();
		advance(Duration.ofMillis(1));
		CompletableFuture<SharedStatus.Reading> refreshed = shared.read();
		assertThat(shared.asked()).as("an unsettled pool is asked again well before max-age").isEqualTo(2);
		answer(1, UP);
		assertThat(refreshed.get(1, TimeUnit.SECONDS).status()).isSameAs(UP);
		advance(MAX_AGE);
		assertThat(shared.read().getNow(null).status()).as("a settled pool is fresh for max-age").isSameAs(UP);
		assertThat(shared.asked()).isEqualTo(2);
	}

	@Test
	void concurrentCallersShareOneRequest() throws Exception {
		SharedStatus shared = shared(Duration.ofSeconds(5));
		int callers = 64 * 20;
		CountDownLatch asked = new CountDownLatch(callers);
		List<CompletableFuture<SharedStatus.Reading>> readings = new ArrayList<>();
		List<CompletableFuture<CompletableFuture<SharedStatus.Reading>>> calls = new ArrayList<>();
		for (int i = 0; i < callers; i++) {
			calls.add(CompletableFuture.supplyAsync(() -> {
				CompletableFuture<SharedStatus.Reading> reading = shared.read();
				asked.countDown();
				return reading;
			}, this.callers));
		}
		assertThat(asked.await(5, TimeUnit.SECONDS)).isTrue();
		for (CompletableFuture<CompletableFuture<SharedStatus.Reading>> call : calls) {
			readings.add(call.get(1, TimeUnit.SECONDS));
		}
		assertThat(shared.asked()).as("requests to the master for " + callers + " concurrent callers").isOne();
		assertThat(readings).noneMatch(CompletableFuture::isDone);
		answer(0, UP);
		for (CompletableFuture<SharedStatus.Reading> reading : readings) {
			assertThat(reading.get(1, TimeUnit.SECONDS).status()).isSameAs(UP);
		}
	}

	@Test
	void aCallerWaitsAtMostTheTimeoutThenGetsTheLastStatusMarkedStale() throws Exception {
		SharedStatus shared = shared(Duration.ofMillis(100));
		shared.offer(UP);
		advance(Duration.ofSeconds(2));
		long start = System.nanoTime();
		SharedStatus.Reading late = shared.read().get(2, TimeUnit.SECONDS);
		long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
		assertThat(waited).as("waited for the master (ms)").isBetween(90L, 1500L);
		assertThat(late.error()).isNull();
		assertThat(late.stale()).isEqualTo(
				"the master did not answer within 100 ms (jproc.health.timeout); asking again in the background");
		assertThat(late.status()).isSameAs(UP);
		assertThat(late.ageMillis()).isEqualTo(2000);
		// Later callers join the same request: a master that does not answer is not
		// asked again until its request ends.
		assertThat(shared.read().get(2, TimeUnit.SECONDS).stale()).contains("did not answer");
		assertThat(shared.asked()).isOne();
		answer(0, UP);
		SharedStatus.Reading after = shared.read().get(1, TimeUnit.SECONDS);
		assertThat(after.error()).isNull();
		assertThat(after.stale()).isNull();
		assertThat(after.ageMillis()).isZero();
		assertThat(shared.asked()).isOne();
	}

	@Test
	void aLateMasterWhoseLastStatusIsPastTheStaleLimitIsAnError() throws Exception {
		SharedStatus shared = shared(Duration.ofMillis(50));
		shared.offer(UP);
		advance(STALE_LIMIT.plusMillis(1));
		SharedStatus.Reading late = shared.read().get(2, TimeUnit.SECONDS);
		assertThat(late.error())
			.isEqualTo("the master did not answer within 50 ms (jproc.health.timeout); asking again in the background");
		assertThat(late.stale()).isNull();
		assertThat(late.status()).as("the last status, for its age").isSameAs(UP);
		assertThat(late.ageMillis()).isEqualTo(6001);
	}

	@Test
	void aLateMasterWithoutAnyStatusYetIsAnError() throws Exception {
		SharedStatus shared = shared(Duration.ofMillis(50));
		SharedStatus.Reading late = shared.read().get(2, TimeUnit.SECONDS);
		assertThat(late.error()).contains("did not answer within 50 ms");
		assertThat(late.status()).isNull();
		assertThat(late.ageMillis()).isEqualTo(-1);
	}

	@Test
	void aFailedRequestIsRememberedForMaxAgeThenAskedAgain() throws Exception {
		SharedStatus shared = new SharedStatus(
				() -> CompletableFuture.failedFuture(new IllegalStateException("channel closed")), this.nanos::get,
				MAX_AGE, Duration.ofSeconds(1), STALE_LIMIT);
		assertThat(shared.read().get(1, TimeUnit.SECONDS).error()).isEqualTo("channel closed");
		for (int i = 0; i < 100; i++) {
			advance(Duration.ofMillis(10));
			SharedStatus.Reading reading = shared.read().getNow(null);
			assertThat(reading).as("the failure, at once").isNotNull();
			assertThat(reading.error()).isEqualTo("channel closed");
			assertThat(reading.status()).isNull();
			assertThat(reading.ageMillis()).isEqualTo(-1);
		}
		assertThat(shared.asked()).isOne();
		advance(Duration.ofMillis(1));
		assertThat(shared.read().get(1, TimeUnit.SECONDS).error()).isEqualTo("channel closed");
		assertThat(shared.asked()).isEqualTo(2);
	}

	@Test
	void aStatusAnotherRequestBroughtCountsAsFresh() throws Exception {
		SharedStatus shared = shared(Duration.ofSeconds(1));
		shared.offer(UP);
		advance(Duration.ofMillis(999));
		assertThat(shared.read().getNow(null).status()).isSameAs(UP);
		assertThat(shared.asked()).isZero();
	}

	@Test
	void latestNeverWaitsAndRefreshesInTheBackgroundOnceAtATime() {
		SharedStatus shared = shared(Duration.ofSeconds(1));
		assertThat(shared.latest()).isNull();
		assertThat(shared.latest()).isNull();
		assertThat(shared.asked()).isOne();
		answer(0, UP);
		assertThat(shared.latest()).isSameAs(UP);
		advance(Duration.ofSeconds(2));
		assertThat(shared.latest()).as("the stale status, without waiting").isSameAs(UP);
		assertThat(shared.read()).isNotDone();
		assertThat(shared.asked()).as("meters and probes share the refresh").isEqualTo(2);
	}

	@Test
	void maxAgeZeroAsksForEveryCallButConcurrentCallersStillShare() throws Exception {
		SharedStatus shared = new SharedStatus(this::ask, this.nanos::get, Duration.ZERO, Duration.ofSeconds(5),
				STALE_LIMIT);
		CompletableFuture<SharedStatus.Reading> first = shared.read();
		CompletableFuture<SharedStatus.Reading> second = shared.read();
		assertThat(shared.asked()).isOne();
		answer(0, UP);
		assertThat(first.get(1, TimeUnit.SECONDS).status()).isSameAs(UP);
		assertThat(second.get(1, TimeUnit.SECONDS).status()).isSameAs(UP);
		advance(Duration.ofMillis(1));
		shared.read();
		assertThat(shared.asked()).isEqualTo(2);
	}

	private SharedStatus shared(Duration timeout) {
		return new SharedStatus(this::ask, this.nanos::get, MAX_AGE, timeout, STALE_LIMIT);
	}

	private synchronized CompletableFuture<PoolStatus> ask() {
		CompletableFuture<PoolStatus> answer = new CompletableFuture<>();
		this.asks.add(answer);
		return answer;
	}

	private synchronized void answer(int ask, PoolStatus status) {
		this.asks.get(ask).complete(status);
	}

	private void advance(Duration duration) {
		this.nanos.addAndGet(duration.toNanos());
	}

}
