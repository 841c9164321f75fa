package io.jproc.messaging;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link ListenerRegistry}: {@link JprocListener} methods found on beans, each
 * fed on its own thread from its own bounded queue, and the answers to asks.
 */
class ListenerRegistryTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final ListenerRegistry registry = new ListenerRegistry();

	@AfterEach
	void stop() {
		this.registry.destroy();
	}

	@Test
	void deliverShouldMapThePayloadAndCallTheListenerOffTheCallersThread() throws Exception {
		Prices prices = register(new Prices());
		this.registry.deliver(new Inbound("prices", "{\"item\":\"tea\",\"cents\":250}", 2, null, null), JSON);
		assertThat(prices.received.poll(5, TimeUnit.SECONDS)).isEqualTo(new Price("tea", 250));
		assertThat(prices.thread).isNotSameAs(Thread.currentThread());
		assertThat(this.registry.counters()).containsExactly(1, 0, 0, 0);
	}

	@Test
	void deliverWhenAskedShouldAnswerWithTheReturnValueAsJson() throws Exception {
		register(new Prices());
		assertThat(ask("quote", "{\"item\":\"tea\",\"cents\":1}")).isEqualTo("answer {\"item\":\"tea\",\"cents\":2}");
	}

	@Test
	void deliverWhenTheListenerReturnsAMonoShouldAnswerWithItsValue() throws Exception {
		register(new Prices());
		assertThat(ask("later", "{}")).isEqualTo("answer \"later\"");
	}

	@Test
	void deliverWhenNoListenerHasTheTopicShouldFailTheAsk() throws Exception {
		this.registry.configure(16, () -> "worker 3");
		register(new Prices());
		assertThat(ask("weather", "{}")).isEqualTo("fail worker 3 has no listener for topic 'weather'");
	}

	@Test
	void deliverWhenThePayloadDoesNotMapShouldFailTheAskAndCountIt() throws Exception {
		register(new Prices());
		assertThat(ask("quote", "{\"cents\":\"many\"}")).startsWith("fail payload does not map");
		assertThat(this.registry.counters()[2]).isEqualTo(1);
	}

	@Test
	void deliverWhenTheListenerThrowsShouldFailTheAskCountItAndKeepListening() throws Exception {
		Prices prices = register(new Prices());
		assertThat(ask("broken", "{}"))
			.isEqualTo("fail listener Prices.broken failed: java.lang.IllegalStateException: no");
		assertThat(this.registry.counters()[3]).isEqualTo(1);
		this.registry.deliver(new Inbound("broken", "{}", 2, null, null), JSON);
		this.registry.deliver(new Inbound("prices", "{\"item\":\"tea\",\"cents\":1}", 2, null, null), JSON);
		assertThat(prices.received.poll(5, TimeUnit.SECONDS)).isNotNull();
	}

	@Test
	void deliverWhenTwoListenersHaveTheTopicShouldCallBothAndLetTheFirstAnswer() throws Exception {
		Prices first = register(new Prices());
		Prices second = register(new Prices());
		Answer answer = new Answer();
		this.registry.deliver(new Inbound("prices", "{\"item\":\"tea\",\"cents\":1}", 2, null, answer), JSON);
		assertThat(first.received.poll(5, TimeUnit.SECONDS)).isNotNull();
		assertThat(second.received.poll(5, TimeUnit.SECONDS)).isNotNull();
		assertThat(answer.await()).isEqualTo("answer null");
		assertThat(answer.outcomes.poll(200, TimeUnit.MILLISECONDS)).as("a second answer").isNull();
	}

	@Test
	void deliverWhenAListenersQueueIsFullShouldDropCountAndFailTheAskWithoutHoldingUpOthers() throws Exception {
		this.registry.configure(1, () -> "worker 3");
		Prices prices = register(new Prices());
		this.registry.deliver(new Inbound("slow", "{}", 2, null, null), JSON);
		assertThat(prices.slowStarted.await(5, TimeUnit.SECONDS)).isTrue();
		this.registry.deliver(new Inbound("slow", "{}", 2, null, null), JSON);
		Answer refused = new Answer();
		this.registry.deliver(new Inbound("slow", "{}", 2, null, refused), JSON);
		assertThat(refused.await())
			.isEqualTo("fail worker 3 is too busy: the queue of its listener for 'slow' is full");
		assertThat(this.registry.counters()[1]).isEqualTo(1);
		this.registry.deliver(new Inbound("prices", "{\"item\":\"tea\",\"cents\":1}", 2, null, null), JSON);
		assertThat(prices.received.poll(5, TimeUnit.SECONDS)).as("another listener is not held up").isNotNull();
		prices.release.countDown();
	}

	@Test
	void registerWhenTheMethodTakesTwoParametersShouldFail() {
		assertThatIllegalStateException()
			.isThrownBy(() -> this.registry.postProcessAfterInitialization(new TwoParameters(), "two"))
			.withMessageContaining("must take no parameter or one");
	}

	/** Ask the listeners of a topic, and wait for the answer or failure. */
	private String ask(String topic, String payload) throws InterruptedException {
		Answer answer = new Answer();
		this.registry.deliver(new Inbound(topic, payload, 2, null, answer), JSON);
		return answer.await();
	}

	private <T> T register(T bean) {
		this.registry.postProcessAfterInitialization(bean, bean.getClass().getSimpleName());
		return bean;
	}

	record Price(String item, int cents) {

	}

	static class Prices {

		final BlockingQueue<Price> received = new LinkedBlockingQueue<>();

		final CountDownLatch slowStarted = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		volatile @Nullable Thread thread;

		@JprocListener("prices")
		void prices(Price price) {
			this.thread = Thread.currentThread();
			this.received.add(price);
		}

		@JprocListener("quote")
		Price quote(Price price) {
			return new Price(price.item(), price.cents() * 2);
		}

		@JprocListener("later")
		Mono<String> later() {
			return Mono.just("later");
		}

		@JprocListener("broken")
		void broken() {
			throw new IllegalStateException("no");
		}

		@JprocListener("slow")
		void slow() throws InterruptedException {
			this.slowStarted.countDown();
			this.release.await(10, TimeUnit.SECONDS);
		}

	}

	static class TwoParameters {

		@JprocListener("two")
		void two(String one, String two) {
		}

	}

	/** Records the answer or failure given to an ask. */
	static final class Answer implements Inbound.Replier {

		final BlockingQueue<String> outcomes = new LinkedBlockingQueue<>();

		@Override
		public void answer(String json) {
			this.outcomes.add("answer " + json);
		}

		@Override
		public void fail(String why) {
			this.outcomes.add("fail " + why);
		}

		String await() throws InterruptedException {
			String outcome = this.outcomes.poll(5, TimeUnit.SECONDS);
			assertThat(outcome).as("an answer or failure within 5 s").isNotNull();
			return outcome;
		}

	}

}
