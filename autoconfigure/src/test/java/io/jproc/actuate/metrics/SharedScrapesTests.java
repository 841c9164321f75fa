package io.jproc.actuate.metrics;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SharedScrapes}: gatherings the test completes by hand, callers on real
 * threads.
 */
class SharedScrapesTests {

	private static final SharedScrapes.Key ALL = SharedScrapes.Key.of("prometheus", null);

	private final Map<SharedScrapes.Key, List<CompletableFuture<byte[]>>> gatherings = new ConcurrentHashMap<>();

	private final SharedScrapes scrapes = new SharedScrapes(this::gather);

	@Test
	void concurrentScrapesShareOneGathering() throws Exception {
		int callers = 200;
		CountDownLatch subscribed = new CountDownLatch(callers);
		List<CompletableFuture<String>> results = new ArrayList<>();
		for (int i = 0; i < callers; i++) {
			CompletableFuture<String> result = new CompletableFuture<>();
			results.add(result);
			this.scrapes.scrape(ALL)
				.doOnSubscribe((subscription) -> subscribed.countDown())
				.subscribeOn(Schedulers.parallel())
				.subscribe((bytes) -> result.complete(new String(bytes, StandardCharsets.UTF_8)),
						result::completeExceptionally);
		}
		assertThat(subscribed.await(5, TimeUnit.SECONDS)).isTrue();
		awaitGatherings(ALL, 1);
		assertThat(this.gatherings.get(ALL)).as("gatherings for " + callers + " concurrent scrapes").hasSize(1);
		this.gatherings.get(ALL).get(0).complete(bytes("merged 1"));
		for (CompletableFuture<String> result : results) {
			assertThat(result.get(5, TimeUnit.SECONDS)).isEqualTo("merged 1");
		}
		assertThat(this.scrapes.counts()).containsExactly(1, callers - 1, 0);
	}

	@Test
	void aScrapeAfterTheGatheringEndedGathersAnew() {
		CompletableFuture<byte[]> first = this.scrapes.scrape(ALL).toFuture();
		this.gatherings.get(ALL).get(0).complete(bytes("one"));
		assertThat(first.join()).isEqualTo(bytes("one"));
		CompletableFuture<byte[]> second = this.scrapes.scrape(ALL).toFuture();
		assertThat(this.gatherings.get(ALL)).hasSize(2);
		this.gatherings.get(ALL).get(1).complete(bytes("two"));
		assertThat(second.join()).isEqualTo(bytes("two"));
	}

	@Test
	void namesInAnyOrderAreOneScrape() {
		assertThat(SharedScrapes.Key.of("prometheus", List.of("b", "a")))
			.isEqualTo(SharedScrapes.Key.of("prometheus", List.of("a", "b")));
		assertThat(SharedScrapes.Key.of("prometheus", List.of("a"))).isNotEqualTo(ALL);
		assertThat(SharedScrapes.Key.of("openmetrics", null)).isNotEqualTo(ALL);
	}

	@Test
	void tooManyDifferentScrapesAreRefusedAtOnceAndAcceptedAgainLater() {
		List<CompletableFuture<byte[]>> running = new ArrayList<>();
		for (int i = 0; i < SharedScrapes.MAX_GATHERINGS; i++) {
			running.add(this.scrapes.scrape(SharedScrapes.Key.of("prometheus", List.of("m" + i))).toFuture());
		}
		CompletableFuture<byte[]> refused = this.scrapes.scrape(ALL).toFuture();
		assertThat(refused).isCompletedExceptionally();
		assertThat(refused.handle((bytes, failure) -> failure).join()).isInstanceOf(SharedScrapes.Busy.class)
			.hasMessage("jproc: 4 different pool scrapes are already being gathered on this worker; retry in a second");
		assertThat(this.gatherings).doesNotContainKey(ALL);
		this.gatherings.get(SharedScrapes.Key.of("prometheus", List.of("m0"))).get(0).complete(bytes("m0"));
		assertThat(this.scrapes.scrape(ALL).toFuture()).isNotDone();
		assertThat(this.gatherings.get(ALL)).hasSize(1);
	}

	@Test
	void aGatheringEveryCallerLeftIsCancelled() {
		Disposable one = this.scrapes.scrape(ALL).subscribe();
		Disposable two = this.scrapes.scrape(ALL).subscribe();
		CompletableFuture<byte[]> work = this.gatherings.get(ALL).get(0);
		one.dispose();
		assertThat(work).as("one caller still waits").isNotDone();
		two.dispose();
		assertThat(work).as("nobody waits: the merge is not done").isCancelled();
		CompletableFuture<byte[]> next = this.scrapes.scrape(ALL).toFuture();
		assertThat(this.gatherings.get(ALL)).as("a new caller starts anew").hasSize(2);
		this.gatherings.get(ALL).get(1).complete(bytes("fresh"));
		assertThat(next.join()).isEqualTo(bytes("fresh"));
	}

	@Test
	void aFailedGatheringFailsItsCallersAndTheNextGathersAnew() {
		CompletableFuture<byte[]> failed = this.scrapes.scrape(ALL).toFuture();
		this.gatherings.get(ALL).get(0).completeExceptionally(new IllegalStateException("boom"));
		assertThat(failed).isCompletedExceptionally();
		this.scrapes.scrape(ALL).toFuture();
		assertThat(this.gatherings.get(ALL)).hasSize(2);
	}

	private CompletableFuture<byte[]> gather(SharedScrapes.Key key) {
		CompletableFuture<byte[]> gathering = new CompletableFuture<>();
		this.gatherings.computeIfAbsent(key, (k) -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(gathering);
		return gathering;
	}

	private void awaitGatherings(SharedScrapes.Key key, int count) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		while (this.gatherings.getOrDefault(key, List.of()).size() < count && System.nanoTime() < deadline) {
			Thread.sleep(5);
		}
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
