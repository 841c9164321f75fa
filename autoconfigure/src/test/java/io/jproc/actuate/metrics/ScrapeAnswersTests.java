package io.jproc.actuate.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.jproc.ipc.Message;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link ScrapeAnswers}: the executor is a list the test runs by hand, the
 * clock a counter it moves.
 */
class ScrapeAnswersTests {

	private static final Message.ScrapeRequest ALL = new Message.ScrapeRequest("prometheus", null);

	private final List<Runnable> queued = new ArrayList<>();

	private final AtomicLong nanos = new AtomicLong(5_000_000_000L);

	private final AtomicInteger scrapes = new AtomicInteger();

	private final ScrapeAnswers answers = new ScrapeAnswers((request) -> "up " + this.scrapes.incrementAndGet() + "\n",
			this.queued::add, this.nanos::get, Duration.ofSeconds(2));

	@Test
	void identicalRequestsWaitingTogetherShareOneScrape() throws Exception {
		List<CompletableFuture<Message>> waiting = new ArrayList<>();
		for (int i = 0; i < 500; i++) {
			waiting.add(this.answers.answer(ALL));
		}
		assertThat(this.queued).as("scrapes queued for 500 identical requests").hasSize(1);
		runAll();
		for (CompletableFuture<Message> answer : waiting) {
			assertThat(answer.get(1, TimeUnit.SECONDS)).isEqualTo(new Message.Scrape("up 1\n"));
		}
		assertThat(this.scrapes).hasValue(1);
	}

	@Test
	void aRequestArrivingWhileTheScrapeRunsGetsAFreshOne() {
		List<CompletableFuture<Message>> during = new ArrayList<>();
		ScrapeAnswers[] self = new ScrapeAnswers[1];
		self[0] = new ScrapeAnswers((request) -> {
			if (during.isEmpty()) {
				during.add(self[0].answer(ALL));
			}
			return "up " + this.scrapes.incrementAndGet() + "\n";
		}, this.queued::add, this.nanos::get, Duration.ofSeconds(2));
		CompletableFuture<Message> first = self[0].answer(ALL);
		runAll();
		assertThat(first.join()).isEqualTo(new Message.Scrape("up 1\n"));
		assertThat(during.get(0).join()).as("its own scrape, begun after it arrived")
			.isEqualTo(new Message.Scrape("up 2\n"));
	}

	@Test
	void differentRequestsBeyondTheBoundAreRefusedAtOnce() {
		for (int i = 0; i < ScrapeAnswers.MAX_PENDING; i++) {
			this.answers.answer(new Message.ScrapeRequest("prometheus", List.of("series_" + i)));
		}
		CompletableFuture<Message> refused = this.answers.answer(new Message.ScrapeRequest("openmetrics", null));
		assertThat(refused).isCompletedExceptionally();
		assertThatExceptionOfType(Exception.class).isThrownBy(refused::join)
			.withMessageContaining("busy: 4 different scrapes already wait on this worker");
		assertThat(this.answers.refused()).isOne();
		assertThat(this.queued).hasSize(ScrapeAnswers.MAX_PENDING);
		runAll();
		assertThat(this.answers.answer(new Message.ScrapeRequest("openmetrics", null))).isNotDone();
	}

	@Test
	void aScrapeTheMasterStoppedWaitingForIsDroppedUnanswered() {
		CompletableFuture<Message> first = this.answers.answer(ALL);
		this.nanos.addAndGet(Duration.ofMillis(1500).toNanos());
		CompletableFuture<Message> joined = this.answers.answer(ALL);
		this.nanos.addAndGet(Duration.ofMillis(1000).toNanos());
		runAll();
		assertThat(first.join()).as("the later request still waited: scraped for both")
			.isEqualTo(new Message.Scrape("up 1\n"));
		assertThat(joined.join()).isEqualTo(new Message.Scrape("up 1\n"));
		CompletableFuture<Message> late = this.answers.answer(ALL);
		this.nanos.addAndGet(Duration.ofMillis(2001).toNanos());
		runAll();
		assertThat(late).isCancelled();
		assertThatExceptionOfType(CancellationException.class).isThrownBy(late::join);
		assertThat(this.scrapes).as("no scrape for a request nobody waits for").hasValue(1);
		assertThat(this.answers.dropped()).isOne();
	}

	@Test
	void aFailedScrapeFailsEveryRequestItAnswers() {
		ScrapeAnswers failing = new ScrapeAnswers((request) -> {
			throw new IllegalStateException("registry closed");
		}, this.queued::add, this.nanos::get, Duration.ofSeconds(2));
		CompletableFuture<Message> one = failing.answer(ALL);
		CompletableFuture<Message> two = failing.answer(ALL);
		runAll();
		assertThat(one).isCompletedExceptionally();
		assertThat(two).isCompletedExceptionally();
	}

	private void runAll() {
		while (!this.queued.isEmpty()) {
			this.queued.remove(0).run();
		}
	}

}
