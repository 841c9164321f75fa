package io.jproc.messaging;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.jproc.ipc.Message;
import io.jproc.ipc.Message.AppMessage;
import io.jproc.ipc.Message.Gathered.Outcome;
import io.jproc.ipc.Message.Gathered.Status;
import io.jproc.ipc.QueueFullException;
import io.jproc.testsupport.RecordingChannel;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Tests for {@link WorkerMessenger}: what a worker's application sends reaches its
 * channel to the master as the right frame, and what comes back reaches the application,
 * on the fake channel.
 */
class WorkerMessengerTests {

	private final RecordingChannel channel = new RecordingChannel();

	private final WorkerMessenger messenger = new WorkerMessenger(() -> 2, this.channel::queue,
			this.channel::queueRequest, new Outgoing(JsonMapper.builder().build(), DataSize.ofBytes(100)));

	@Test
	void broadcastShouldQueueTheJsonPayloadForEveryWorker() {
		this.messenger.broadcast("prices", new Price("tea", 250));
		assertThat(this.channel.queued).containsExactly(
				new AppMessage("prices", "{\"item\":\"tea\",\"cents\":250}", 2, AppMessage.EVERY_WORKER, null, 0));
		assertThat(this.channel.sent).as("application messages are queued, not sent").isEmpty();
	}

	@Test
	void broadcastWhenTheTopicIsReservedShouldFailAndQueueNothing() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.messenger.broadcast("jproc.loggers", "x"))
			.withMessageContaining("reserved");
		assertThat(this.channel.queued).isEmpty();
	}

	@Test
	void broadcastWhenThePayloadIsTooLargeShouldFailAndQueueNothing() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.messenger.broadcast("prices", "x".repeat(200)))
			.withMessageContaining("jproc.messaging.max-payload");
		assertThat(this.channel.queued).isEmpty();
	}

	@Test
	void broadcastWhenTheQueueIsFullShouldThrow() {
		this.channel.appQueueCapacity(1);
		this.messenger.broadcast("prices", 1);
		assertThatExceptionOfType(QueueFullException.class).isThrownBy(() -> this.messenger.broadcast("prices", 2));
	}

	@Test
	void sendWhenTheWorkerIsNotAMemberShouldFailAndQueueNothing() {
		this.messenger.members(List.of(1, 2));
		assertThatIllegalArgumentException().isThrownBy(() -> this.messenger.send(3, "prices", 1))
			.withMessage("no ready worker 3; ready workers are [1, 2]");
		assertThat(this.channel.queued).isEmpty();
	}

	@Test
	void sendWhenTheWorkerIsAMemberShouldQueueForItAlone() {
		this.messenger.members(List.of(1, 2, 3));
		this.messenger.send(3, "prices", 1);
		assertThat(this.channel.queued).containsExactly(new AppMessage("prices", "1", 2, 3, null, 0));
	}

	@Test
	void publishEventShouldQueueForEveryOtherWorkerWithItsType() {
		this.messenger.publishEvent("{}", "com.example.Changed");
		assertThat(this.channel.queued).containsExactly(
				new AppMessage(Outgoing.EVENT_TOPIC, "{}", 2, AppMessage.EVERY_OTHER_WORKER, "com.example.Changed", 0));
	}

	@Test
	void askShouldQueueNothingUntilSubscribed() {
		this.messenger.members(List.of(1));
		this.messenger.ask(1, "quote", 1, Integer.class, Duration.ofMillis(500));
		assertThat(this.channel.queued).isEmpty();
	}

	@Test
	void askWhenAnsweredShouldMapTheAnswer() throws Exception {
		this.messenger.members(List.of(1));
		CompletableFuture<Price> answer = this.messenger
			.ask(1, "quote", new Price("tea", 1), Price.class, Duration.ofMillis(500))
			.toFuture();
		RecordingChannel.Request request = this.channel.requests.get(0);
		assertThat(request.message())
			.isEqualTo(new AppMessage("quote", "{\"item\":\"tea\",\"cents\":1}", 2, 1, null, 500));
		assertThat(request.timeout()).as("the master's own timeout answers first")
			.isGreaterThan(Duration.ofMillis(500));
		request.reply().complete(new Message.AppReply("{\"item\":\"tea\",\"cents\":2}", 101));
		assertThat(answer.get(5, TimeUnit.SECONDS)).isEqualTo(new Price("tea", 2));
	}

	@Test
	void askWhenTheMasterRefusesShouldFailWithItsReason() {
		assertThat(failedAsk(CompletableFuture.completedFuture(new Message.Failure("no ready worker 1"))))
			.isEqualTo("no ready worker 1");
	}

	@Test
	void askWhenNoAnswerComesInTimeShouldFailSayingSo() {
		assertThat(failedAsk(CompletableFuture.failedFuture(new TimeoutException())))
			.isEqualTo("worker 1 did not answer within 500 ms");
	}

	@Test
	void askWhenTheChannelIsClosedShouldFailSayingSo() {
		assertThat(failedAsk(CompletableFuture.failedFuture(new IOException("closed"))))
			.isEqualTo("the channel to the master is closed");
	}

	@Test
	void askWhenTheTimeoutIsNotPositiveShouldFail() {
		this.messenger.members(List.of(1));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.messenger.ask(1, "quote", 1, Integer.class, Duration.ZERO))
			.withMessageContaining("timeout must be positive");
	}

	@Test
	void gatherShouldMapEveryOutcome() throws Exception {
		CompletableFuture<List<GatherOutcome<Integer>>> gathered = this.messenger
			.gather("count", 1, Integer.class, Duration.ofMillis(300))
			.toFuture();
		RecordingChannel.Request request = this.channel.requests.get(0);
		assertThat(request.message()).isEqualTo(new Message.GatherRequest("count", "1", 300));
		request.reply()
			.complete(new Message.Gathered(List.of(new Outcome(1, 101, Status.ANSWERED, "7", null),
					new Outcome(2, 102, Status.ANSWERED, "\"seven\"", null),
					new Outcome(3, 103, Status.LATE, null, "slow"), new Outcome(4, -1, Status.LEFT_OUT, null, "none"),
					new Outcome(5, 105, Status.FAILED, null, "broken"))));
		assertThat(gathered.get(5, TimeUnit.SECONDS)).satisfiesExactly(
				(one) -> assertThat(one).isEqualTo(new GatherOutcome<>(1, 101, GatherOutcome.Status.ANSWERED, 7, null)),
				(two) -> {
					assertThat(two.status()).isEqualTo(GatherOutcome.Status.FAILED);
					assertThat(two.error()).startsWith("answer does not map to java.lang.Integer");
				},
				(three) -> assertThat(three)
					.isEqualTo(new GatherOutcome<>(3, 103, GatherOutcome.Status.LATE, null, "slow")),
				(four) -> assertThat(four.status()).isEqualTo(GatherOutcome.Status.LEFT_OUT), (five) -> assertThat(five)
					.isEqualTo(new GatherOutcome<>(5, 105, GatherOutcome.Status.FAILED, null, "broken")));
	}

	@Test
	void gatherWhenTheMasterRefusesShouldFailWithItsReason() {
		CompletableFuture<List<GatherOutcome<Integer>>> gathered = this.messenger
			.gather("count", 1, Integer.class, Duration.ofMillis(300))
			.toFuture();
		this.channel.requests.get(0).reply().complete(new Message.Failure("a spare worker takes no part"));
		assertThat(failure(gathered)).isEqualTo("gather failed: a spare worker takes no part");
	}

	private String failedAsk(CompletableFuture<Message> reply) {
		WorkerMessenger messenger = new WorkerMessenger(() -> 2, (message) -> true, (message, timeout) -> reply,
				new Outgoing(JsonMapper.builder().build(), DataSize.ofBytes(100)));
		messenger.members(List.of(1));
		CompletableFuture<Integer> answer = messenger.ask(1, "quote", 1, Integer.class, Duration.ofMillis(500))
			.toFuture();
		return failure(answer);
	}

	private static String failure(CompletableFuture<?> result) {
		Throwable failure = catchThrowable(() -> result.get(5, TimeUnit.SECONDS));
		assertThat(failure).as("a failure").isInstanceOf(ExecutionException.class);
		Throwable cause = failure;
		while (cause.getCause() != null) {
			cause = cause.getCause();
		}
		assertThat(cause).isInstanceOf(JprocMessagingException.class);
		return cause.getMessage();
	}

	record Price(String item, int cents) {

	}

}
