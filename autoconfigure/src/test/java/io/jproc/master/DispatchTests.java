package io.jproc.master;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.jproc.ipc.Envelope;
import io.jproc.ipc.Message;
import io.jproc.ipc.PoolStatus;
import io.jproc.master.process.Exit;
import io.jproc.master.process.MasterEvent;
import io.jproc.master.process.WorkerHandle;
import io.jproc.testsupport.RecordingChannel;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link Dispatch}: which thread handles what a worker sends.
 */
class DispatchTests {

	/** What only the master sends: a worker sending one is refused. */
	private static final Set<Class<?>> MASTER_TO_WORKER = Set.of(Message.Stop.class, Message.CloseListeners.class,
			Message.TakeSlot.class, Message.ReplacementReady.class, PoolStatus.class, Message.PoolScrape.class,
			Message.ScrapeRequest.class, Message.CommandResult.class, Message.Members.class, Message.Grant.class,
			Message.Revoke.class, Message.Gathered.class);

	/** Answers: they complete the request's future in the channel, never the table. */
	private static final Set<Class<?>> REPLIES = Set.of(Message.Scrape.class, Message.AppReply.class,
			Message.Failure.class);

	private final RecordingChannel channel = new RecordingChannel();

	private final WorkerHandle worker = new WorkerHandle(1, 4242, 1, FakePool.START, this.channel);

	private final List<String> handled = new ArrayList<>();

	private final List<MasterEvent> queued = new ArrayList<>();

	private final Dispatch dispatch = Dispatch.builder()
		.reader(Message.AppMessage.class, (from, envelope) -> record("reader", envelope))
		.loop(Message.Heartbeat.class, (from, envelope) -> record("loop", envelope))
		.build();

	@Test
	void readerMessageShouldBeHandledOnTheCallingThreadAndNeverQueued() {
		this.dispatch.readerSide(this.queued::add).accept(received(new Message.AppMessage("t", "{}", 0, 0, null, 0)));
		assertThat(this.handled).containsExactly("reader AppMessage on " + Thread.currentThread().getName());
		assertThat(this.queued).isEmpty();
	}

	@Test
	void loopMessageShouldBeQueuedForTheLoopAndHandledThere() {
		MasterEvent heartbeat = received(new Message.Heartbeat(1, 2, 3, 4, 5, 0, -1));
		this.dispatch.readerSide(this.queued::add).accept(heartbeat);
		assertThat(this.handled).isEmpty();
		assertThat(this.queued).containsExactly(heartbeat);
		MasterEvent.Received received = (MasterEvent.Received) this.queued.get(0);
		this.dispatch.onLoop(received.worker(), received.envelope());
		assertThat(this.handled).hasSize(1).allMatch((line) -> line.startsWith("loop Heartbeat"));
	}

	@Test
	void eventsOtherThanMessagesShouldPassToTheLoop() {
		MasterEvent exited = new MasterEvent.Exited(this.worker, new Exit(0, 0));
		this.dispatch.readerSide(this.queued::add).accept(exited);
		assertThat(this.queued).containsExactly(exited);
	}

	@Test
	void messageNotInTheTableShouldBeAnsweredWithAFailureAndHandledByNobody() {
		this.dispatch.onLoop(this.worker, new Envelope(7, 0, new Message.Drained(0)));
		assertThat(this.handled).isEmpty();
		assertThat(this.channel.replies).singleElement()
			.isInstanceOfSatisfying(Message.Failure.class,
					(failure) -> assertThat(failure.message()).contains("does not take"));
	}

	@Test
	void readerMessageReachingTheLoopShouldNotBeHandledTwice() {
		this.dispatch.onLoop(this.worker, new Envelope(7, 0, new Message.AppMessage("t", "{}", 0, 0, null, 0)));
		assertThat(this.handled).isEmpty();
		assertThat(this.channel.replies).singleElement().isInstanceOf(Message.Failure.class);
	}

	@Test
	void readerHandlerThatFailsShouldNotReachTheLoop() {
		Dispatch failing = Dispatch.builder().reader(Message.AppMessage.class, (from, envelope) -> {
			throw new IllegalStateException("boom");
		}).build();
		failing.readerSide(this.queued::add).accept(received(new Message.AppMessage("t", "{}", 0, 0, null, 0)));
		assertThat(this.queued).isEmpty();
	}

	@Test
	void routingATypeTwiceShouldFail() {
		Dispatch.Builder builder = Dispatch.builder().loop(Message.Ready.class, (from, envelope) -> {
		});
		assertThatIllegalStateException().isThrownBy(() -> builder.reader(Message.Ready.class, (from, envelope) -> {
		})).withMessageContaining("Ready");
	}

	@Test
	void everyMessageAWorkerSendsShouldBeRoutedByTheArbiter() {
		Dispatch table = new FakePool(1).arbiter.dispatch();
		Set<Class<?>> workerToMaster = new HashSet<>(Arrays.asList(Message.class.getPermittedSubclasses()));
		workerToMaster.removeAll(MASTER_TO_WORKER);
		workerToMaster.removeAll(REPLIES);
		workerToMaster.add(Message.AppMessage.class); // both ways: the relay forwards it
		assertThat(new HashSet<Class<?>>(table.routed())).as("a new message needs a line in the arbiter's table")
			.isEqualTo(workerToMaster);
		assertThat(table.threadOf(Message.AppMessage.class)).isEqualTo(Dispatch.Thread.READER);
		assertThat(table.threadOf(Message.GatherRequest.class)).isEqualTo(Dispatch.Thread.READER);
		for (Class<?> type : workerToMaster) {
			if (type != Message.AppMessage.class && type != Message.GatherRequest.class) {
				assertThat(table.threadOf(type.asSubclass(Message.class))).as(type.getSimpleName())
					.isEqualTo(Dispatch.Thread.LOOP);
			}
		}
	}

	private MasterEvent received(Message message) {
		return new MasterEvent.Received(this.worker, new Envelope(1, 0, message));
	}

	private void record(String where, Envelope envelope) {
		this.handled.add(where + " " + envelope.message().getClass().getSimpleName() + " on "
				+ Thread.currentThread().getName());
	}

}
