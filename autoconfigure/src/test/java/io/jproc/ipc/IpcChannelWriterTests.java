package io.jproc.ipc;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jnr.unixsocket.UnixSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The writing side of {@link IpcChannel} against a peer that does not read: real
 * socketpairs whose other end nobody reads fill the kernel's buffer as a stopped worker
 * does.
 */
class IpcChannelWriterTests {

	/**
	 * Any one send must return within this, whatever the peer does. A send that blocked
	 * on a peer that does not read would never return; the bound is wide so that a loaded
	 * machine (GC, a busy CI core) does not fail it: this is not a speed test.
	 */
	private static final long QUICK_MILLIS = 3_000;

	private final List<IpcChannel> opened = new ArrayList<>();

	@AfterEach
	void closeAll() {
		this.opened.forEach(IpcChannel::close);
	}

	private IpcChannel[] pair(String name) throws IOException {
		UnixSocketChannel[] pair = UnixSocketChannel.pair();
		IpcChannel[] channels = { IpcChannel.of(pair[0], name), IpcChannel.of(pair[1], name + "-peer") };
		this.opened.add(channels[0]);
		this.opened.add(channels[1]);
		return channels;
	}

	private static Message.AppMessage app(int size) {
		return new Message.AppMessage("t", "\"" + "x".repeat(size) + "\"", 0, 1, null, 0);
	}

	@Test
	void sendingNeverBlocksWhenThePeerDoesNotReadAndEveryBudgetIsBounded() throws Exception {
		IpcChannel[] pair = pair("frozen");
		IpcChannel sender = pair[0];
		sender.appQueueLimits(10_000, 1024 * 1024, null);
		long slowest = 0;
		int accepted = 0;
		int refused = 0;
		// 40 MB of application frames offered: the socket takes a few hundred KB, the
		// queue 1 MiB, the rest is refused at once.
		for (int i = 0; i < 400; i++) {
			long start = System.nanoTime();
			try {
				sender.queue(app(100_000));
				accepted++;
			}
			catch (QueueFullException ex) {
				assertThat(ex).hasMessageContaining("jproc.messaging.queue-capacity");
				refused++;
			}
			slowest = Math.max(slowest, System.nanoTime() - start);
			assertThat(sender.pendingBytes()).as("bytes held").isLessThanOrEqualTo(1024 * 1024 + 2 * 100_100);
		}
		assertThat(refused).isPositive();
		assertThat(accepted).as("frames taken by the queue and the socket").isLessThan(40);
		// jproc's own frames have their own budget: they still go, then overflow.
		int controlSent = 0;
		boolean overflowed = false;
		for (int i = 0; i < 1_000 && !overflowed; i++) {
			long start = System.nanoTime();
			if (sender.send(new Message.Failure("y".repeat(10_000)))) {
				controlSent++;
			}
			else {
				overflowed = true;
			}
			slowest = Math.max(slowest, System.nanoTime() - start);
		}
		assertThat(controlSent).as("control frames queued behind the full application queue").isBetween(50, 110);
		assertThat(overflowed).as("control frames overflow their budget").isTrue();
		assertThat(sender.stalled()).as("an overflow is a stall at once").isNotNull();
		assertThat(sender.send(new Message.Stop("late"))).as("nothing more is taken").isFalse();
		assertThat(sender.request(new Message.PoolStatusRequest(), Duration.ofSeconds(5))).as("a request fails at once")
			.isCompletedExceptionally();
		assertThat(TimeUnit.NANOSECONDS.toMillis(slowest)).as("slowest send").isLessThan(QUICK_MILLIS);
	}

	@Test
	void stallIsReportedAtTheWriteDeadlineAndOnlyWhileBytesWait() throws Exception {
		// Deadlines of a second, so that a loaded machine's pauses do not look like one.
		IpcChannel[] idle = pair("idle");
		idle[0].writeDeadline(Duration.ofMillis(1_000));
		Thread.sleep(1_200);
		assertThat(idle[0].stalled()).as("nothing waits: no stall").isNull();

		IpcChannel[] pair = pair("frozen");
		IpcChannel sender = pair[0];
		sender.writeDeadline(Duration.ofMillis(1_000));
		sender.appQueueLimits(10_000, 8 * 1024 * 1024, null);
		long start = System.nanoTime();
		for (int i = 0; i < 20; i++) {
			sender.queue(app(100_000));
		}
		assertThat(sender.stalled()).as("before the deadline").isNull();
		Duration stalled = awaitStall(sender, Duration.ofSeconds(10));
		long seenAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
		assertThat(seenAfter).as("stall seen after").isBetween(1_000L, 8_000L);
		assertThat(stalled).isGreaterThan(Duration.ofMillis(1_000));
		assertThat(sender.queued()).as("waiting application frames are dropped").isZero();
		assertThat(sender.droppedFrames()).isPositive();
		assertThatThrownBy(() -> sender.queue(app(10))).isInstanceOf(QueueFullException.class)
			.hasMessageContaining("has read nothing");
		assertThat(sender.send(new Message.Stop("still goes"))).as("control frames are still taken").isTrue();
		// The peer reads again: what was queued goes out, the stall is over.
		Recorder seen = new Recorder();
		pair[1].start(seen);
		Message next = seen.next().message();
		while (!(next instanceof Message.Stop)) {
			assertThat(next).isInstanceOf(Message.AppMessage.class);
			next = seen.next().message();
		}
		awaitNoPending(sender);
		assertThat(sender.stalled()).isNull();
	}

	@Test
	void controlFramesOvertakeApplicationFramesWaitingForAPeerThatIsNotReading() throws Exception {
		IpcChannel[] pair = pair("slow");
		IpcChannel sender = pair[0];
		sender.appQueueLimits(10_000, 64 * 1024 * 1024, null);
		for (int i = 0; i < 40; i++) {
			sender.queue(app(256 * 1024));
		}
		Thread.sleep(100);
		assertThat(sender.send(new Message.Stop("urgent"))).isTrue();
		assertThat(sender.reply(7, new Message.Failure("an answer"))).isTrue();
		Recorder seen = new Recorder();
		pair[1].start(seen);
		int position = 0;
		while (!(seen.next().message() instanceof Message.Stop)) {
			position++;
		}
		// Behind the queue it would come 41st: it waits only for the frame being written
		// when the socket's buffer filled.
		assertThat(position).as("application frames before the control frame").isLessThanOrEqualTo(2);
		assertThat(seen.unmatched.poll(5, TimeUnit.SECONDS)).isNotNull()
			.satisfies((reply) -> assertThat(reply.replyTo()).isEqualTo(7));
		for (int i = position; i < 40; i++) {
			assertThat(seen.next().message()).isInstanceOf(Message.AppMessage.class);
		}
	}

	@Test
	void sharedBudgetBoundsAllChannelsTogetherAndIsGivenBackWhenAChannelCloses() throws Exception {
		ByteBudget relay = new ByteBudget(2 * 1024 * 1024);
		IpcChannel first = pair("first")[0];
		IpcChannel[] second = pair("second");
		first.appQueueLimits(10_000, 8 * 1024 * 1024, relay);
		second[0].appQueueLimits(10_000, 8 * 1024 * 1024, relay);
		QueueFullException full = null;
		int taken = 0;
		for (int i = 0; i < 200 && full == null; i++) {
			try {
				if (first.queue(app(100_000))) {
					taken++;
				}
			}
			catch (QueueFullException ex) {
				full = ex;
			}
		}
		assertThat(full)
			.as("the relay's budget refuses (taken %d, open %s, relay %d bytes, pending %d bytes, queued %d)", taken,
					first.isOpen(), relay.used(), first.pendingBytes(), first.queued())
			.isNotNull();
		assertThat(full).hasMessageContaining("relay");
		// The writer may still have moved a frame into the socket's buffer and given its
		// bytes back: once it is blocked, take up what it freed.
		Thread.sleep(300);
		for (int i = 0; i < 200; i++) {
			try {
				first.queue(app(100_000));
			}
			catch (QueueFullException ex) {
				break;
			}
		}
		assertThat(relay.used()).isLessThanOrEqualTo(relay.limit());
		assertThatThrownBy(() -> second[0].queue(app(100_000))).as("the other destination finds the relay full")
			.isInstanceOf(QueueFullException.class);
		long start = System.nanoTime();
		first.close();
		assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("close of a channel not read")
			.isLessThan(3_000);
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
		while (relay.used() > 0 && System.nanoTime() < deadline) {
			Thread.sleep(10);
		}
		assertThat(relay.used()).as("bytes given back by the closed channel").isZero();
		Recorder seen = new Recorder();
		second[1].start(seen);
		assertThat(second[0].queue(app(100_000))).isTrue();
		assertThat(seen.next().message()).isInstanceOf(Message.AppMessage.class);
	}

	@Test
	void applicationAnswerThatDoesNotFitBecomesAFailureOnTheControlQueue() throws Exception {
		IpcChannel[] pair = pair("asker");
		IpcChannel sender = pair[0];
		sender.appQueueLimits(1, 1, null);
		// One frame being written (bigger than the socket's buffer), one queued: then the
		// queue is full, and stays so while the peer does not read. Until the writer has
		// taken the first, the second is refused: try again (bounded).
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (sender.queued() < 1 || sender.pendingBytes() < 3_000_000) {
			assertThat(System.nanoTime()).as("one frame written and one waiting").isLessThan(deadline);
			try {
				sender.queue(app(2_000_000));
			}
			catch (QueueFullException ex) {
				Thread.sleep(10);
			}
		}
		assertThatThrownBy(() -> sender.queue(app(10))).isInstanceOf(QueueFullException.class);
		assertThat(sender.reply(42, new Message.AppReply("\"answer\"", 1))).isTrue();
		Recorder seen = new Recorder();
		pair[1].start(seen);
		Envelope answer = seen.unmatched.poll(5, TimeUnit.SECONDS);
		assertThat(answer).isNotNull();
		assertThat(answer.replyTo()).isEqualTo(42);
		assertThat(answer.message()).isInstanceOfSatisfying(Message.Failure.class,
				(failure) -> assertThat(failure.message()).startsWith("answer not sent:"));
	}

	@Test
	void readerAnsweringOnAChannelThatIsNotReadIsNeverBlocked() throws Exception {
		// The master's reader of a healthy worker relays that worker's answers to a
		// frozen asker; before, the write blocked the reader and the healthy worker's
		// heartbeats went unread.
		IpcChannel toFrozen = pair("frozen")[0];
		toFrozen.appQueueLimits(10_000, 8 * 1024 * 1024, null);
		IpcChannel[] healthy = pair("healthy");
		AtomicLong heartbeats = new AtomicLong();
		CountDownLatch all = new CountDownLatch(400);
		healthy[0].start(new Recorder() {

			@Override
			public void onMessage(Envelope envelope) {
				if (envelope.message() instanceof Message.AppReply answer) {
					toFrozen.reply(envelope.seq(), answer);
				}
				else {
					heartbeats.incrementAndGet();
				}
				all.countDown();
			}

		});
		healthy[1].appQueueLimits(10_000, 64 * 1024 * 1024, null);
		String payload = "\"" + "z".repeat(200_000) + "\"";
		for (int i = 0; i < 200; i++) {
			healthy[1].send(new Message.AppReply(payload, 2));
			healthy[1].send(new Message.Heartbeat(1, 2, 3, 4, 5, 0, -1));
		}
		assertThat(all.await(20, TimeUnit.SECONDS)).as("every frame of the healthy peer read").isTrue();
		assertThat(heartbeats.get()).isEqualTo(200);
		assertThat(toFrozen.pendingBytes()).as("held for the frozen peer").isLessThan(16L * 1024 * 1024);
	}

	@Test
	void closeLetsTheLastFramesGoOutWhileThePeerReads() throws Exception {
		IpcChannel[] pair = pair("leaving");
		Recorder seen = new Recorder();
		pair[1].start(seen);
		pair[0].appQueueLimits(10_000, 64 * 1024 * 1024, null);
		for (int i = 0; i < 20; i++) {
			pair[0].queue(app(100_000));
		}
		pair[0].send(new Message.Drained(0));
		pair[0].close();
		Message next = seen.next().message();
		while (!(next instanceof Message.Drained)) {
			assertThat(next).isInstanceOf(Message.AppMessage.class);
			next = seen.next().message();
		}
	}

	@Test
	void budgetsDeriveFromTheMessagingProperties() {
		long mib = 1024 * 1024;
		assertThat(ByteBudget.perDestination(1024, 1_000_000)).isEqualTo(8 * mib);
		assertThat(ByteBudget.wholeRelay(ByteBudget.perDestination(1024, 1_000_000))).isEqualTo(32 * mib);
		assertThat(ByteBudget.perDestination(2, 1_000_000)).isEqualTo(2 * (1_000_000 + ByteBudget.FRAME_OVERHEAD));
		assertThat(ByteBudget.perDestination(1024, 4 * mib)).isEqualTo(2 * (4 * mib + ByteBudget.FRAME_OVERHEAD));
	}

	private static Duration awaitStall(IpcChannel channel, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		Duration stalled;
		while ((stalled = channel.stalled()) == null) {
			assertThat(System.nanoTime()).as("stall reported within " + timeout).isLessThan(deadline);
			Thread.sleep(10);
		}
		return stalled;
	}

	private static void awaitNoPending(IpcChannel channel) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
		while (channel.pendingBytes() > 0) {
			assertThat(System.nanoTime()).as("queue drained within 5 s").isLessThan(deadline);
			Thread.sleep(10);
		}
	}

	static class Recorder implements IpcChannel.Listener {

		final BlockingQueue<Envelope> messages = new LinkedBlockingQueue<>();

		final BlockingQueue<Envelope> unmatched = new LinkedBlockingQueue<>();

		@Override
		public void onMessage(Envelope envelope) {
			this.messages.add(envelope);
		}

		@Override
		public void onUnmatchedReply(Envelope envelope) {
			this.unmatched.add(envelope);
		}

		@Override
		public void onMalformed(MalformedFrameException error) {
		}

		@Override
		public void onClosed() {
		}

		Envelope next() throws InterruptedException {
			Envelope envelope = this.messages.poll(5, TimeUnit.SECONDS);
			assertThat(envelope).as("a message within 5 s").isNotNull();
			return envelope;
		}

	}

}
