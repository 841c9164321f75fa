package io.jproc.messaging;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link JprocMessagingAutoConfiguration} in a single process.
 */
class JprocMessagingAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JprocMessagingAutoConfiguration.class))
		.withUserConfiguration(Listening.class);

	@Test
	void runInSingleProcessShouldDeliverToOwnListenersAndLead() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(LocalMessenger.class).doesNotHaveBean(LeaderOnlyPostProcessor.class);
			JprocMessenger messenger = context.getBean(JprocMessenger.class);
			messenger.broadcast("greetings", "one");
			messenger.send(1, "greetings", "two");
			Integer length = messenger.ask(1, "length", "three", Integer.class, Duration.ofSeconds(5)).block();
			assertThat(length).isEqualTo(5);
			List<GatherOutcome<Integer>> gathered = messenger
				.gather("length", "four", Integer.class, Duration.ofSeconds(5))
				.block();
			assertThat(gathered).singleElement()
				.satisfies((outcome) -> assertThat(outcome.status()).isEqualTo(GatherOutcome.Status.ANSWERED));
			Listening listening = context.getBean(Listening.class);
			long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
			while (listening.received.size() < 2 && System.nanoTime() < end) {
				Thread.sleep(10);
			}
			assertThat(listening.received).containsExactly("one", "two");
			JprocLeadership leadership = context.getBean(JprocLeadership.class);
			assertThat(leadership.isLeader()).isTrue();
			assertThat(leadership.epoch()).isEqualTo(1);
		});
	}

	@Test
	void theBootCacheTrainingRunShouldNeitherLeadNorListen() {
		this.runner.withPropertyValues("JPROC_ROLE=training").withBean(LeaderWork.class).run((context) -> {
			assertThat(context).hasSingleBean(LeaderOnlyPostProcessor.class).doesNotHaveBean(LocalLeadership.class);
			JprocLeadership leadership = context.getBean(JprocLeadership.class);
			assertThat(leadership.isLeader()).isFalse();
			LeaderWork work = context.getBean(LeaderWork.class);
			work.scheduled();
			work.leaderOnly();
			work.everyWorker();
			assertThat(work.runs()).containsExactly("every-worker");
			JprocMessenger messenger = context.getBean(JprocMessenger.class);
			messenger.broadcast("greetings", "one");
			assertThat(messenger.ask(1, "length", "three", Integer.class, Duration.ofSeconds(5))
				.onErrorResume((ex) -> reactor.core.publisher.Mono.just(-1))
				.block()).isEqualTo(-1);
			Thread.sleep(200);
			assertThat(context.getBean(Listening.class).received).isEmpty();
		});
	}

	@Test
	void badInputShouldFailAtTheSender() {
		this.runner.withPropertyValues("jproc.messaging.max-payload=10B").run((context) -> {
			JprocMessenger messenger = context.getBean(JprocMessenger.class);
			assertThatIllegalArgumentException().isThrownBy(() -> messenger.broadcast("jproc.x", "a"))
				.withMessageContaining("reserved");
			assertThatIllegalArgumentException().isThrownBy(() -> messenger.broadcast("a b", "a"))
				.withMessageContaining("bad topic");
			assertThatIllegalArgumentException().isThrownBy(() -> messenger.broadcast("t", null))
				.withMessageContaining("null");
			assertThatIllegalArgumentException().isThrownBy(() -> messenger.broadcast("t", "x".repeat(20)))
				.withMessageContaining("jproc.messaging.max-payload");
			assertThatIllegalArgumentException().isThrownBy(() -> messenger.send(2, "t", "a"))
				.withMessageContaining("no ready worker 2");
		});
	}

	@Test
	void askWithoutListenerShouldFail() {
		this.runner.run((context) -> {
			JprocMessenger messenger = context.getBean(JprocMessenger.class);
			assertThat(messenger.ask(1, "nobody", "x", String.class, Duration.ofSeconds(5))
				.onErrorResume((ex) -> reactor.core.publisher.Mono.just("failed: " + ex.getMessage()))
				.block()).contains("no listener for topic 'nobody'");
		});
	}

	static class LeaderWork {

		private final List<String> runs = new CopyOnWriteArrayList<>();

		List<String> runs() {
			return this.runs;
		}

		@org.springframework.scheduling.annotation.Scheduled(fixedDelay = 3_600_000)
		void scheduled() {
			this.runs.add("scheduled");
		}

		@LeaderOnly
		void leaderOnly() {
			this.runs.add("leader-only");
		}

		@EveryWorker
		void everyWorker() {
			this.runs.add("every-worker");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Listening {

		final List<String> received = new CopyOnWriteArrayList<>();

		@JprocListener("greetings")
		void greet(String text) {
			this.received.add(text);
		}

		@JprocListener("length")
		int length(String text) {
			return text.length();
		}

		@Bean
		String unrelated() {
			return "unrelated";
		}

	}

}
