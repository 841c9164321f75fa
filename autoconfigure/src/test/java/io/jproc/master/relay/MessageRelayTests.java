package io.jproc.master.relay;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

import io.jproc.JprocProperties;
import io.jproc.ipc.Envelope;
import io.jproc.ipc.Message;
import io.jproc.ipc.Message.AppMessage;
import io.jproc.ipc.Message.Gathered.Outcome;
import io.jproc.ipc.Message.Gathered.Status;
import io.jproc.master.process.WorkerHandle;
import io.jproc.testsupport.FakeWorkers;
import io.jproc.testsupport.RecordingChannel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * Tests for {@link MessageRelay}: application messages from a worker's reader thread to
 * the other workers' queues, asks and gathers, and the member list, with workers on the
 * fake channel.
 */
class MessageRelayTests {

	private final JprocProperties properties = new JprocProperties();

	private final WorkerHandle one = FakeWorkers.ready(1, 101);

	private final WorkerHandle two = FakeWorkers.ready(2, 102);

	private MessageRelay relay;

	private long seq;

	@BeforeEach
	void relay() {
		relayWithQueueCapacity(this.properties.getMessaging().getQueueCapacity());
	}

	@Test
	void relayWhenBroadcastToOtherWorkersShouldQueueForEachServingWorkerButTheSender() {
		WorkerHandle three = FakeWorkers.ready(3, 103);
		WorkerHandle booting = FakeWorkers.starting(4, 104);
		reconcile(this.one, this.two, three, booting);
		Envelope sent = receive(this.one, new AppMessage("prices", "{}", 9, AppMessage.EVERY_OTHER_WORKER, null, 0));
		AppMessage delivered = new AppMessage("prices", "{}", 1, AppMessage.EVERY_OTHER_WORKER, null, 0);
		assertThat(FakeWorkers.channel(this.one).queued).isEmpty();
		assertThat(FakeWorkers.channel(this.two).queued).containsExactly(delivered);
		assertThat(FakeWorkers.channel(three).queued).containsExactly(delivered);
		assertThat(FakeWorkers.channel(booting).queued).isEmpty();
		assertThat(this.relay.status().relayed()).isEqualTo(2);
		assertThat(sent.seq()).isPositive();
	}

	@Test
	void relayWhenBroadcastToEveryWorkerShouldQueueForTheSenderToo() {
		reconcile(this.one, this.two);
		receive(this.one, new AppMessage("prices", "{}", 1, AppMessage.EVERY_WORKER, null, 0));
		assertThat(FakeWorkers.channel(this.one).queued).hasSize(1);
		assertThat(FakeWorkers.channel(this.two).queued).hasSize(1);
	}

	@Test
	void relayWhenSentToOneWorkerShouldQueueForItAlone() {
		WorkerHandle three = FakeWorkers.ready(3, 103);
		reconcile(this.one, this.two, three);
		receive(this.one, new AppMessage("prices", "{\"a\":1}", 1, 2, null, 0));
		assertThat(FakeWorkers.channel(this.two).queued)
			.containsExactly(new AppMessage("prices", "{\"a\":1}", 1, 2, null, 0));
		assertThat(FakeWorkers.channel(three).queued).isEmpty();
	}

	@Test
	void relayWhenTheSlotHasALeavingAndANewWorkerShouldAddressTheNewOne() {
		WorkerHandle old = FakeWorkers.ready(2, 102);
		old.leaving("reload");
		WorkerHandle replacement = FakeWorkers.ready(2, 202);
		reconcile(this.one, old, replacement);
		receive(this.one, new AppMessage("prices", "{}", 1, 2, null, 0));
		assertThat(FakeWorkers.channel(replacement).queued).hasSize(1);
		assertThat(FakeWorkers.channel(old).queued).isEmpty();
	}

	@Test
	void relayWhenDestinationQueueIsFullShouldDropAndCount() {
		relayWithQueueCapacity(1);
		WorkerHandle three = FakeWorkers.ready(3, 103);
		reconcile(this.one, this.two, three);
		assertThat(FakeWorkers.channel(this.two).appQueueCapacity()).isEqualTo(1);
		receive(this.one, new AppMessage("prices", "1", 1, 2, null, 0));
		receive(this.one, new AppMessage("prices", "2", 1, AppMessage.EVERY_OTHER_WORKER, null, 0));
		assertThat(FakeWorkers.channel(this.two).queued).extracting(AppMessage.class::cast)
			.extracting(AppMessage::payload)
			.containsExactly("1");
		assertThat(FakeWorkers.channel(three).queued).as("another destination is not held up")
			.extracting(AppMessage.class::cast)
			.extracting(AppMessage::payload)
			.containsExactly("2");
		assertThat(this.relay.status().dropped()).isEqualTo(1);
		assertThat(this.relay.status().droppedByReason()).containsExactly(entry("queue-full", 1L));
		assertThat(this.relay.status().relayed()).isEqualTo(2);
	}

	@Test
	void relayWhenTheSenderIsASpareShouldDeliverNothingAndRefuseItsAsk() {
		WorkerHandle spare = FakeWorkers.ready(0, 150);
		reconcile(this.one, spare);
		receive(spare, new AppMessage("prices", "{}", 0, AppMessage.EVERY_OTHER_WORKER, null, 0));
		Envelope ask = receive(spare, new AppMessage("prices", "{}", 0, 1, null, 500));
		assertThat(FakeWorkers.channel(this.one).queued).isEmpty();
		assertThat(FakeWorkers.channel(this.one).requests).isEmpty();
		assertThat(FakeWorkers.channel(spare).replies).singleElement()
			.isInstanceOfSatisfying(Message.Failure.class,
					(failure) -> assertThat(failure.message()).contains("spare worker"));
		assertThat(FakeWorkers.channel(spare).repliedTo).containsExactly(ask.seq());
		assertThat(this.relay.status().droppedByReason()).containsExactly(entry("from-spare", 2L));
	}

	@Test
	void relayWhenTheSlotHasNoServingWorkerShouldCountTheMessageAsDropped() {
		reconcile(this.one, this.two);
		receive(this.one, new AppMessage("prices", "{}", 1, 7, null, 0));
		assertThat(FakeWorkers.channel(this.two).queued).isEmpty();
		assertThat(this.relay.status().dropped()).isEqualTo(1);
		assertThat(this.relay.status().droppedByReason()).containsExactly(entry("no-worker", 1L));
	}

	@Test
	void relayWhenTheDestinationsChannelIsClosedShouldCountTheMessageAsDropped() {
		reconcile(this.one, this.two);
		FakeWorkers.channel(this.two).close();
		receive(this.one, new AppMessage("prices", "{}", 1, 2, null, 0));
		assertThat(this.relay.status().droppedByReason()).containsExactly(entry("channel-closed", 1L));
		assertThat(this.relay.status().relayed()).isZero();
	}

	@Test
	void reconcileWhenAWorkerLeavesShouldCountWhatItsChannelNeverWrote() {
		reconcile(this.one, this.two);
		FakeWorkers.channel(this.two).droppedFrames = 3;
		reconcile(this.one);
		assertThat(this.relay.status().droppedByReason()).containsExactly(entry("left-unsent", 3L));
		assertThat(this.relay.status().dropped()).isEqualTo(3);
	}

	@Test
	void askWhenTheTargetAnswersShouldReplyToTheAskerWithTheAnswer() {
		reconcile(this.one, this.two);
		Envelope ask = receive(this.one, new AppMessage("quote", "{}", 1, 2, null, 500));
		RecordingChannel.Request forwarded = FakeWorkers.channel(this.two).requests.get(0);
		assertThat(forwarded.message()).isEqualTo(new AppMessage("quote", "{}", 1, 2, null, 500));
		assertThat(forwarded.timeout()).isEqualTo(Duration.ofMillis(500));
		assertThat(FakeWorkers.channel(this.one).replies).as("no answer before the target's").isEmpty();
		forwarded.reply().complete(new Message.AppReply("42", 102));
		assertThat(FakeWorkers.channel(this.one).replies).containsExactly(new Message.AppReply("42", 102));
		assertThat(FakeWorkers.channel(this.one).repliedTo).containsExactly(ask.seq());
		assertThat(this.relay.status().asks()).isEqualTo(1);
	}

	@Test
	void askWhenNoWorkerServesTheSlotShouldFailAtOnce() {
		reconcile(this.one);
		receive(this.one, new AppMessage("quote", "{}", 1, 2, null, 500));
		assertThat(FakeWorkers.channel(this.one).replies).containsExactly(new Message.Failure("no ready worker 2"));
	}

	@Test
	void askWhenTheTargetDoesNotAnswerInTimeShouldReplyThatItDidNot() {
		assertThat(failedAsk(new TimeoutException())).isEqualTo("worker 2 did not answer within 500 ms");
	}

	@Test
	void askWhenTheTargetLeavesBeforeItAnswersShouldReplyThatItLeft() {
		assertThat(failedAsk(new IOException("closed"))).isEqualTo("worker 2 (pid 102) left before it answered");
	}

	@Test
	void gatherShouldAskEverySlotAndLeaveOutASlotWithNoServingWorker() {
		WorkerHandle booting = FakeWorkers.starting(3, 103);
		this.relay.reconcile(List.of(1, 2, 3), List.of(this.one, this.two, booting), true,
				FakeWorkers.START.plusSeconds(2));
		Envelope gather = receive(this.one, new Message.GatherRequest("count", "{}", 300));
		assertThat(FakeWorkers.channel(booting).requests).isEmpty();
		FakeWorkers.channel(this.two).requests.get(0).reply().complete(new Message.AppReply("2", 102));
		assertThat(FakeWorkers.channel(this.one).replies).as("no answer before every slot's").isEmpty();
		RecordingChannel.Request toItself = FakeWorkers.channel(this.one).requests.get(0);
		assertThat(toItself.message()).isEqualTo(new AppMessage("count", "{}", 1, 1, null, 300));
		toItself.reply().complete(new Message.Failure("no listener"));
		assertThat(FakeWorkers.channel(this.one).replies)
			.containsExactly(new Message.Gathered(List.of(new Outcome(1, 101, Status.FAILED, null, "no listener"),
					new Outcome(2, 102, Status.ANSWERED, "2", null),
					new Outcome(3, -1, Status.LEFT_OUT, null, "no worker of slot 3 takes traffic"))));
		assertThat(FakeWorkers.channel(this.one).repliedTo).containsExactly(gather.seq());
		assertThat(this.relay.status().gathers()).isEqualTo(1);
	}

	@Test
	void reconcileShouldTellEachServingWorkerTheMembersOnceAndAgainWhenTheyChange() {
		WorkerHandle booting = FakeWorkers.starting(2, 102);
		reconcile(this.one, booting);
		reconcile(this.one, booting);
		assertThat(members(this.one)).containsExactly(new Message.Members(List.of(1)));
		assertThat(members(booting)).isEmpty();
		booting.ready(booting.spawnedAt().plusSeconds(2));
		reconcile(this.one, booting);
		assertThat(members(this.one)).containsExactly(new Message.Members(List.of(1)),
				new Message.Members(List.of(1, 2)));
		assertThat(members(booting)).containsExactly(new Message.Members(List.of(1, 2)));
	}

	@Test
	void reconcileShouldTellAReplacementInTheSameSlotTheMembers() {
		reconcile(this.one, this.two);
		WorkerHandle replacement = FakeWorkers.ready(2, 202);
		this.two.leaving("reload");
		reconcile(this.one, this.two, replacement);
		assertThat(members(replacement)).containsExactly(new Message.Members(List.of(1, 2)));
	}

	@Test
	void reconcileShouldGiveAWorkerThatStartsServingTheLogLevelsSetSoFar() {
		reconcile(this.one);
		Message.LogLevelChange debug = new Message.LogLevelChange("com.example", LogLevel.DEBUG);
		levelChange(this.one, new Message.LogLevelChange("org.other", LogLevel.WARN));
		levelChange(this.one, debug);
		levelChange(this.one, new Message.LogLevelChange("org.other", null));
		WorkerHandle later = FakeWorkers.ready(2, 102);
		reconcile(this.one, later);
		assertThat(FakeWorkers.channel(later).sent).contains(debug)
			.noneMatch(
					(message) -> message instanceof Message.LogLevelChange change && change.name().equals("org.other"));
		assertThat(FakeWorkers.channel(later).queued).isEmpty();
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void onLogLevelChangeWhenMoreLoggersThanTheCapShouldForgetTheOldestAndSaySoOnce(CapturedOutput output) {
		reconcile(this.one, this.two);
		for (int i = 0; i < MessageRelay.MAX_LOG_LEVELS + 5; i++) {
			levelChange(this.one, new Message.LogLevelChange("com.example.l" + i, LogLevel.DEBUG));
		}
		List<String> kept = this.relay.keptLogLevels();
		assertThat(kept).hasSize(MessageRelay.MAX_LOG_LEVELS)
			.startsWith("com.example.l5")
			.endsWith("com.example.l" + (MessageRelay.MAX_LOG_LEVELS + 4));
		assertThat(FakeWorkers.channel(this.two).sent.stream().filter(Message.LogLevelChange.class::isInstance))
			.as("the serving workers get every change")
			.hasSize(MessageRelay.MAX_LOG_LEVELS + 5);
		assertThat(output.getOut()).contains("workers that start later no longer get the oldest (com.example.l0)");
		assertThat(output.getOut().lines().filter((line) -> line.contains("given a level pool-wide")))
			.as("warned at the 1st, 2nd and 4th forgotten")
			.hasSize(3);
		levelChange(this.one, new Message.LogLevelChange("com.example.l5", LogLevel.TRACE));
		assertThat(this.relay.keptLogLevels()).as("set again: the latest").endsWith("com.example.l5").hasSize(1000);
	}

	private void levelChange(WorkerHandle from, Message.LogLevelChange change) {
		this.relay.onLogLevelChange(from, new Envelope(1, 0, change));
	}

	/** What worker 1 is told when its ask to worker 2 fails so. */
	private String failedAsk(Throwable failure) {
		reconcile(this.one, this.two);
		receive(this.one, new AppMessage("quote", "{}", 1, 2, null, 500));
		FakeWorkers.channel(this.two).requests.get(0).reply().completeExceptionally(failure);
		assertThat(FakeWorkers.channel(this.one).replies).singleElement().isInstanceOf(Message.Failure.class);
		return ((Message.Failure) FakeWorkers.channel(this.one).replies.get(0)).message();
	}

	private void relayWithQueueCapacity(int capacity) {
		this.properties.getMessaging().setQueueCapacity(capacity);
		this.relay = new MessageRelay(this.properties);
	}

	private static List<Message> members(WorkerHandle worker) {
		return FakeWorkers.channel(worker).sent.stream().filter(Message.Members.class::isInstance).toList();
	}

	private void reconcile(WorkerHandle... live) {
		List<Integer> slots = java.util.Arrays.stream(live)
			.map(WorkerHandle::id)
			.filter((id) -> id > 0)
			.distinct()
			.sorted()
			.toList();
		this.relay.reconcile(slots, List.of(live), true, FakeWorkers.START.plusSeconds(2));
	}

	/**
	 * What the dispatch does with application traffic: the relay on the reader thread.
	 */
	private Envelope receive(WorkerHandle from, Message message) {
		Envelope envelope = new Envelope(++this.seq, 0, message);
		this.relay.relay(from, envelope);
		return envelope;
	}

}
