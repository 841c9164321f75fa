package io.jproc.messaging;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.jproc.ipc.Message.AppMessage;
import io.jproc.testsupport.RecordingChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.ApplicationEvent;
import org.springframework.context.PayloadApplicationEvent;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CrossWorkerEvents}: a {@link CrossWorker} event published in a worker
 * goes to the others through the messenger, on the fake channel, and one received from
 * another worker is published here and not sent back.
 */
class CrossWorkerEventsTests {

	private final RecordingChannel channel = new RecordingChannel();

	private final Outgoing outgoing = new Outgoing(JsonMapper.builder().build(), DataSize.ofKilobytes(64));

	private final GenericApplicationContext context = new GenericApplicationContext();

	private final BlockingQueue<Object> published = new LinkedBlockingQueue<>();

	private CrossWorkerEvents events;

	@AfterEach
	void close() {
		this.events.destroy();
		this.context.close();
	}

	@Test
	void publishingACrossWorkerEventShouldSendItToEveryOtherWorker() {
		start(16);
		this.context.publishEvent(new PriceChanged("tea", 250));
		assertThat(this.channel.queued).containsExactly(new AppMessage(Outgoing.EVENT_TOPIC,
				"{\"item\":\"tea\",\"cents\":250}", 2, AppMessage.EVERY_OTHER_WORKER, PriceChanged.class.getName(), 0));
	}

	@Test
	void publishingAnEventNotMarkedCrossWorkerShouldSendNothing() {
		start(16);
		this.context.publishEvent(new LocalOnly("tea"));
		assertThat(this.channel.queued).isEmpty();
	}

	@Test
	void receivedEventShouldBePublishedHereAndNotSentBack() throws Exception {
		start(16);
		this.events.received(inbound(PriceChanged.class.getName(), "{\"item\":\"tea\",\"cents\":250}"));
		assertThat(this.published.poll(5, TimeUnit.SECONDS)).isEqualTo(new PriceChanged("tea", 250));
		assertThat(this.channel.queued).isEmpty();
	}

	@Test
	void receivedEventThatIsNotMarkedCrossWorkerOrUnknownOrUnmappableShouldNotBePublished() throws Exception {
		start(16);
		this.events.received(inbound(LocalOnly.class.getName(), "{\"item\":\"tea\"}"));
		this.events.received(inbound("com.example.Gone", "{}"));
		this.events.received(inbound(PriceChanged.class.getName(), "{\"cents\":\"many\"}"));
		this.events.received(inbound(PriceChanged.class.getName(), "{\"item\":\"tea\",\"cents\":1}"));
		// One thread, in order: once the last is published, the others were refused.
		assertThat(this.published.poll(5, TimeUnit.SECONDS)).isEqualTo(new PriceChanged("tea", 1));
		assertThat(this.published).isEmpty();
	}

	@Test
	void receivedEventsBeyondTheQueueShouldBeDropped() throws Exception {
		start(1);
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch blocked = new CountDownLatch(1);
		this.context.addApplicationListener((ApplicationEvent event) -> {
			if (payload(event) instanceof PriceChanged changed && changed.item().equals("slow")) {
				blocked.countDown();
				await(release);
			}
		});
		this.events.received(inbound(PriceChanged.class.getName(), "{\"item\":\"slow\",\"cents\":1}"));
		assertThat(blocked.await(5, TimeUnit.SECONDS)).isTrue();
		this.events.received(inbound(PriceChanged.class.getName(), "{\"item\":\"queued\",\"cents\":2}"));
		this.events.received(inbound(PriceChanged.class.getName(), "{\"item\":\"dropped\",\"cents\":3}"));
		release.countDown();
		assertThat(this.published.poll(5, TimeUnit.SECONDS)).isEqualTo(new PriceChanged("slow", 1));
		assertThat(this.published.poll(5, TimeUnit.SECONDS)).isEqualTo(new PriceChanged("queued", 2));
		assertThat(this.published.poll(300, TimeUnit.MILLISECONDS)).isNull();
	}

	private void start(int queueCapacity) {
		WorkerMessenger messenger = new WorkerMessenger(() -> 2, this.channel::queue, this.channel::queueRequest,
				this.outgoing);
		this.events = new CrossWorkerEvents(() -> "worker 2", messenger, this.outgoing, this.context, queueCapacity);
		// First, so that an event is relayed, or not, before the test sees it published.
		this.context.addApplicationListener(this.events);
		this.context.addApplicationListener((ApplicationEvent event) -> {
			if (event instanceof PayloadApplicationEvent<?>) {
				this.published.add(payload(event));
			}
		});
		this.context.refresh();
	}

	private static Object payload(ApplicationEvent event) {
		return (event instanceof PayloadApplicationEvent<?> wrapped) ? wrapped.getPayload() : event;
	}

	private static Inbound inbound(String type, String payload) {
		return new Inbound(Outgoing.EVENT_TOPIC, payload, 1, type, null);
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@CrossWorker
	record PriceChanged(String item, int cents) {

	}

	record LocalOnly(String item) {

	}

}
