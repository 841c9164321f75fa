package io.jproc.master;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.jproc.ipc.Envelope;
import io.jproc.ipc.MalformedFrameException;
import io.jproc.ipc.Message;
import io.jproc.master.process.Exit;
import io.jproc.master.process.MasterEvent;
import io.jproc.master.process.WorkerHandle;
import io.jproc.testsupport.FakeWorkers;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LoopQueue}: requests are bounded and refused with an answer, what
 * keeps the pool is never refused and always comes first, heartbeats are merged per
 * worker.
 */
class LoopQueueTests {

	private final LoopQueue queue = new LoopQueue(4, 3);

	private final WorkerHandle one = FakeWorkers.ready(1, 101);

	private final WorkerHandle two = FakeWorkers.ready(2, 102);

	private long seq;

	@Test
	void addWhenTheRequestLaneIsFullShouldRefuseARequestWithAFailureAnswer() {
		assertThat(this.queue.add(command(this.one))).isTrue();
		assertThat(this.queue.add(command(this.one))).isTrue();
		assertThat(this.queue.add(command(this.two))).isTrue();
		assertThat(this.queue.add(command(this.two))).isTrue();
		MasterEvent.Received refused = command(this.two);
		assertThat(this.queue.add(refused)).isFalse();
		assertThat(FakeWorkers.channel(this.two).repliedTo).containsExactly(refused.envelope().seq());
		assertThat(FakeWorkers.channel(this.two).replies).singleElement()
			.isInstanceOfSatisfying(Message.Failure.class,
					(failure) -> assertThat(failure.message()).startsWith("the master is busy"));
		assertThat(this.queue.refused()).isEqualTo(1);
		assertThat(this.queue.size()).isEqualTo(4);
	}

	@Test
	void addWhenOneWorkerHasItsShareWaitingShouldRefuseOnlyItsRequests() {
		for (int i = 0; i < 3; i++) {
			assertThat(this.queue.add(command(this.one))).isTrue();
		}
		assertThat(this.queue.add(command(this.one))).isFalse();
		assertThat(this.queue.add(command(this.two))).isTrue();
		assertThat(FakeWorkers.channel(this.one).replies).hasSize(1);
		assertThat(FakeWorkers.channel(this.two).replies).isEmpty();
	}

	@Test
	void addWhenRequestsFillTheQueueShouldStillTakeExitsSignalsClosesAndWhatWorkersSayOfTheirLife()
			throws InterruptedException {
		for (int i = 0; i < 10; i++) {
			this.queue.add(command((i % 2 == 0) ? this.one : this.two));
		}
		List<MasterEvent> pool = List.of(new MasterEvent.Exited(this.one, new Exit(-1, 9)),
				new MasterEvent.SignalReceived("TERM"), new MasterEvent.ChannelClosed(this.one),
				received(this.two, new Message.Ready(102, 1000)), received(this.two, new Message.Retire("test", true)),
				received(this.two, new Message.Drained(0)), received(this.two, new Message.RevokeAck(1)),
				received(this.two, new Message.Yield(1)), new MasterEvent.ScrapeGathered(this.two, 7, List.of()),
				new MasterEvent.Malformed(this.two, new MalformedFrameException("test", true, 0)));
		pool.forEach((event) -> assertThat(this.queue.add(event)).as("%s", event).isTrue());
		List<MasterEvent> taken = drain();
		assertThat(taken.subList(0, pool.size())).as("what keeps the pool comes first").isEqualTo(pool);
		assertThat(taken.subList(pool.size(), taken.size())).hasSize(4)
			.allMatch((event) -> ((MasterEvent.Received) event).envelope().message() instanceof Message.Command);
	}

	@Test
	void addWhenAWorkerSendsManyHeartbeatsShouldKeepOneWithTheLatestFigures() throws InterruptedException {
		for (int i = 1; i <= 10_000; i++) {
			assertThat(this.queue.add(received(this.one, heartbeat(i)))).isTrue();
		}
		this.queue.add(received(this.two, heartbeat(1)));
		assertThat(this.queue.size()).isEqualTo(2);
		List<MasterEvent> taken = drain();
		assertThat(taken).extracting((event) -> ((MasterEvent.Received) event).envelope().message())
			.containsExactly(heartbeat(10_000), heartbeat(1));
		this.queue.add(received(this.one, heartbeat(10_001)));
		assertThat(drain()).extracting((event) -> ((MasterEvent.Received) event).envelope().message())
			.as("a heartbeat after the loop took the last one")
			.containsExactly(heartbeat(10_001));
	}

	@Test
	void pollShouldMakeRoomForMoreRequests() throws InterruptedException {
		for (int i = 0; i < 4; i++) {
			this.queue.add(command((i < 2) ? this.one : this.two));
		}
		assertThat(drain()).hasSize(4);
		for (int i = 0; i < 3; i++) {
			assertThat(this.queue.add(command(this.one))).isTrue();
		}
		assertThat(this.queue.refused()).isZero();
	}

	@Test
	void addShouldSendAMalformedFrameThatDoesNotCloseTheChannelToTheRequestLane() {
		assertThat(LoopQueue.isRequest(new MasterEvent.Malformed(this.one, new MalformedFrameException("x", false, 3))))
			.isTrue();
		assertThat(LoopQueue.isRequest(new MasterEvent.Malformed(this.one, new MalformedFrameException("x", true, 0))))
			.isFalse();
		assertThat(LoopQueue.isRequest(received(this.one, new Message.PoolStatusRequest()))).isTrue();
		assertThat(LoopQueue.isRequest(received(this.one, new Message.Heartbeat(1, 2, 3, 4, 0, 0, -1)))).isFalse();
	}

	private List<MasterEvent> drain() throws InterruptedException {
		List<MasterEvent> taken = new ArrayList<>();
		MasterEvent event;
		while ((event = this.queue.poll(0, TimeUnit.MILLISECONDS)) != null) {
			taken.add(event);
		}
		return taken;
	}

	private MasterEvent.Received command(WorkerHandle worker) {
		return received(worker, new Message.Command(Message.Command.Action.RELOAD, null, null));
	}

	private MasterEvent.Received received(WorkerHandle worker, Message message) {
		return new MasterEvent.Received(worker, new Envelope(++this.seq, 0, message));
	}

	private static Message.Heartbeat heartbeat(long served) {
		return new Message.Heartbeat(1, 2, 3, served, 0, 0, -1);
	}

}
