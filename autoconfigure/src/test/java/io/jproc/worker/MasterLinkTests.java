package io.jproc.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.jproc.ExitCodes;
import io.jproc.ipc.Envelope;
import io.jproc.ipc.Message;
import io.jproc.testsupport.RecordingChannel;
import org.junit.jupiter.api.Test;

import org.springframework.context.support.GenericApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link MasterLink}: the worker's channel and its one table of handlers, on a
 * {@link RecordingChannel}.
 */
class MasterLinkTests {

	private final RecordingChannel channel = new RecordingChannel();

	private final MasterLink link = new MasterLink(new WorkerIdentity(2, 9, null, (event) -> {
	}), this.channel, this.channel::start, Duration.ofSeconds(1));

	private final BlockingQueue<Integer> exits = new LinkedBlockingQueue<>();

	private final BootExit bootExit = new BootExit(() -> "worker 2", new GenericApplicationContext(), this.exits::add,
			(code) -> {
			}, Duration.ofMinutes(10));

	@Test
	void whileBootingAStopEndsTheWorkerAndTheOtherMessagesWaitForStartInOrder() throws Exception {
		List<Long> grants = new ArrayList<>();
		List<String> stops = new ArrayList<>();
		this.link.listenWhileBooting(this.bootExit);
		assertThat(this.channel.isStarted()).as("reading while booting").isTrue();
		this.channel.deliver(new Message.Grant(1));
		this.link.handle(Message.Grant.class, (envelope, grant) -> grants.add(grant.epoch()));
		this.link.handle(Message.Stop.class, (envelope, stop) -> stops.add(stop.reason()));
		this.channel.deliver(new Message.Grant(2));
		assertThat(grants).as("no handler called before start").isEmpty();
		this.channel.deliver(new Message.Stop("shutdown"));
		assertThat(this.exits.poll(5, TimeUnit.SECONDS)).isEqualTo(ExitCodes.OK);
		assertThat(this.bootExit.hasBegun()).isTrue();
		this.link.start();
		this.channel.deliver(new Message.Grant(3));
		assertThat(grants).containsExactly(1L, 2L, 3L);
		assertThat(stops).as("the Stop read while booting went to the boot exit only").isEmpty();
		assertThat(this.channel.replies).isEmpty();
	}

	@Test
	void onceStartedAStopGoesToItsHandler() {
		List<String> stops = new ArrayList<>();
		this.link.listenWhileBooting(this.bootExit);
		this.link.handle(Message.Stop.class, (envelope, stop) -> stops.add(stop.reason()));
		this.link.start();
		this.channel.deliver(new Message.Stop("reload"));
		assertThat(stops).containsExactly("reload");
		assertThat(this.bootExit.hasBegun()).isFalse();
	}

	@Test
	void theMasterGoneWhileBootingEndsTheWorkerWithItsExitCode() throws Exception {
		AtomicInteger gone = new AtomicInteger();
		this.link.whenGone(gone::incrementAndGet);
		this.link.listenWhileBooting(this.bootExit);
		this.channel.endOfStream();
		assertThat(this.exits.poll(5, TimeUnit.SECONDS)).isEqualTo(ExitCodes.MASTER_GONE);
		assertThat(gone).as("the hook is for a worker that has started dispatching").hasValue(0);
	}

	@Test
	void readsNothingUntilStartedAndStartsOnce() {
		assertThat(this.channel.isStarted()).isFalse();
		this.link.start();
		this.link.start();
		assertThat(this.channel.isStarted()).isTrue();
	}

	@Test
	void handlerGetsTheMessagesOfItsTypeAndALaterHandlerReplacesIt() {
		List<Long> first = new java.util.ArrayList<>();
		List<Long> second = new java.util.ArrayList<>();
		this.link.handle(Message.Grant.class, (envelope, grant) -> first.add(grant.epoch()));
		this.link.start();
		this.channel.deliver(new Message.Grant(4));
		this.link.handle(Message.Grant.class, (envelope, grant) -> second.add(grant.epoch()));
		this.channel.deliver(new Message.Grant(5));
		assertThat(first).containsExactly(4L);
		assertThat(second).containsExactly(5L);
		assertThat(this.channel.replies).isEmpty();
	}

	@Test
	void messageWithoutHandlerIsAnsweredWithAFailure() {
		this.link.start();
		Envelope sent = this.channel.deliver(new Message.Grant(1));
		assertThat(this.channel.replies).singleElement()
			.isEqualTo(new Message.Failure("a worker does not take this message"));
		assertThat(this.channel.repliedTo).containsExactly(sent.seq());
	}

	@Test
	void answerRepliesWithTheAnswerOrAFailure() {
		AtomicInteger asked = new AtomicInteger();
		this.link.answer(Message.Grant.class, (grant) -> switch (asked.incrementAndGet()) {
			case 1 -> CompletableFuture.completedFuture(new Message.Drained(grant.epoch()));
			case 2 -> CompletableFuture.failedFuture(new IllegalStateException("no scrape"));
			default -> throw new IllegalArgumentException("thrown");
		});
		this.link.start();
		this.channel.deliver(new Message.Grant(7));
		this.channel.deliver(new Message.Grant(8));
		this.channel.deliver(new Message.Grant(9));
		assertThat(this.channel.replies).containsExactly(new Message.Drained(7), new Message.Failure("no scrape"),
				new Message.Failure("thrown"));
	}

	@Test
	void unmatchedReplyAndEndOfStreamReachNoHandler() {
		AtomicInteger gone = new AtomicInteger();
		this.link.whenGone(gone::incrementAndGet);
		this.link.start();
		this.channel.deliverUnmatchedReply(new Message.Grant(1));
		assertThat(this.channel.replies).isEmpty();
		this.channel.endOfStream();
		assertThat(gone).hasValue(1);
	}

	@Test
	void sendsAndAsksThroughTheChannel() {
		assertThat(this.link.send(new Message.Yield(3))).isTrue();
		CompletableFuture<Message> answer = this.link.request(new Message.PoolStatusRequest());
		assertThat(answer).isNotDone();
		assertThat(this.channel.sent).containsExactly(new Message.Yield(3), new Message.PoolStatusRequest());
	}

	@Test
	void destroyClosesTheChannelOnlyForAWorkerThatLeaves() {
		this.link.destroy();
		assertThat(this.channel.closes()).isZero();
		this.link.closeOnDestroy();
		this.link.destroy();
		assertThat(this.channel.closes()).isOne();
	}

}
