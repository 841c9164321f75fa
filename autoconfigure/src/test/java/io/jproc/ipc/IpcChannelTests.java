package io.jproc.ipc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jnr.unixsocket.UnixSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tests for {@link IpcChannel} over a real socketpair.
 */
class IpcChannelTests {

	private IpcChannel left;

	private IpcChannel right;

	private final Recorder rightSeen = new Recorder();

	@BeforeEach
	void connect() throws IOException {
		UnixSocketChannel[] pair = UnixSocketChannel.pair();
		this.left = IpcChannel.of(pair[0], "left");
		this.right = IpcChannel.of(pair[1], "right");
		this.right.start(this.rightSeen);
	}

	@AfterEach
	void close() {
		this.left.close();
		this.right.close();
	}

	@Test
	void sendDeliversMessageWithIncreasingSequence() throws Exception {
		this.left.send(new Message.Ready(42, 1234, false));
		this.left.send(new Message.Stop("test"));
		Envelope first = this.rightSeen.next();
		Envelope second = this.rightSeen.next();
		assertThat(first.message()).isEqualTo(new Message.Ready(42, 1234, false));
		assertThat(second.message()).isEqualTo(new Message.Stop("test"));
		assertThat(second.seq()).isGreaterThan(first.seq());
	}

	@Test
	void requestIsAnsweredByReplyWithItsSequence() throws Exception {
		this.left.start(new Recorder());
		CompletableFuture<Message> reply = this.left.request(new Message.Stop("ping"), Duration.ofSeconds(5));
		Envelope request = this.rightSeen.next();
		this.right.reply(request, new Message.Failure("pong"));
		assertThat(reply.get(5, TimeUnit.SECONDS)).isEqualTo(new Message.Failure("pong"));
	}

	@Test
	void requestWithoutReplyTimesOut() {
		this.left.start(new Recorder());
		CompletableFuture<Message> reply = this.left.request(new Message.Stop("ping"), Duration.ofMillis(200));
		assertThatThrownBy(() -> reply.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
			.hasCauseInstanceOf(TimeoutException.class);
	}

	@Test
	void garbageFrameIsReportedAndTheNextFrameStillArrives() throws Exception {
		byte[] garbage = "{not json".getBytes();
		this.left
			.writeRaw(java.nio.ByteBuffer.allocate(4 + garbage.length).putInt(garbage.length).put(garbage).array());
		this.left.send(new Message.Ready(1, 2, true));
		assertThat(this.rightSeen.errors.poll(5, TimeUnit.SECONDS)).isNotNull()
			.satisfies((error) -> assertThat(error.isFatal()).isFalse());
		assertThat(this.rightSeen.next().message()).isEqualTo(new Message.Ready(1, 2, true));
	}

	@Test
	void unknownEnumValueIsReportedAndCountedAndTheNextFrameStillArrives() throws Exception {
		long before = IpcChannel.unknownValueFrames();
		byte[] newer = "{\"v\":1,\"seq\":1,\"re\":0,\"type\":\"command\",\"body\":{\"action\":\"teleport\"}}"
			.getBytes(StandardCharsets.UTF_8);
		this.left.writeRaw(java.nio.ByteBuffer.allocate(4 + newer.length).putInt(newer.length).put(newer).array());
		this.left.send(new Message.Command(Message.Command.Action.RELOAD, null, null));
		assertThat(this.rightSeen.errors.poll(5, TimeUnit.SECONDS)).isNotNull().satisfies((error) -> {
			assertThat(error.isFatal()).isFalse();
			assertThat(error.seq()).isEqualTo(1);
			assertThat(error.getMessage()).contains("unknown value 'teleport' in 'command' at action");
		});
		assertThat(this.rightSeen.next().message())
			.isEqualTo(new Message.Command(Message.Command.Action.RELOAD, null, null));
		assertThat(IpcChannel.unknownValueFrames()).isGreaterThanOrEqualTo(before + 1);
	}

	@Test
	void oversizeLengthClosesTheChannel() throws Exception {
		this.left.writeRaw(java.nio.ByteBuffer.allocate(4).putInt(FrameCodec.MAX_FRAME_BYTES + 1).array());
		MalformedFrameException error = this.rightSeen.errors.poll(5, TimeUnit.SECONDS);
		assertThat(error).isNotNull();
		assertThat(error.isFatal()).isTrue();
		assertThat(this.rightSeen.closed.await(5, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void peerCloseIsSeenAsClosed() throws Exception {
		this.left.close();
		assertThat(this.rightSeen.closed.await(5, TimeUnit.SECONDS)).isTrue();
		assertThat(this.right.send(new Message.Stop("late"))).isFalse();
	}

	@Test
	void queuedMessagesArriveInOrderAcrossBatches() throws Exception {
		this.left.appQueueCapacity(10_000);
		for (int i = 0; i < 5_000; i++) {
			this.left.queue(new Message.AppMessage("t", Integer.toString(i), 0, 1, null, 0));
		}
		for (int i = 0; i < 5_000; i++) {
			assertThat(((Message.AppMessage) this.rightSeen.next().message()).payload()).isEqualTo(Integer.toString(i));
		}
	}

	@Test
	void closedChannelsNeverReadFromTheNewOnesThatReuseTheirDescriptors() throws Exception {
		// A channel closed while its reader thread runs must not free its descriptor
		// number before that thread has left: the next socketpair (a new worker's) gets
		// the same numbers, and the old reader's next read stole its bytes (messages lost
		// in whole runs, or frames cut in the middle).
		for (int round = 0; round < 100; round++) {
			UnixSocketChannel[] pair = UnixSocketChannel.pair();
			IpcChannel sender = IpcChannel.of(pair[0], "sender");
			IpcChannel receiver = IpcChannel.of(pair[1], "receiver");
			Recorder seen = new Recorder();
			receiver.start(seen);
			sender.appQueueCapacity(1_000);
			for (int i = 0; i < 500; i++) {
				sender.queue(new Message.AppMessage("t", Integer.toString(i), 0, 1, null, 0));
			}
			for (int i = 0; i < 500; i++) {
				assertThat(((Message.AppMessage) seen.next().message()).payload()).as("round %d", round)
					.isEqualTo(Integer.toString(i));
			}
			assertThat(seen.errors).as("round %d", round).isEmpty();
			sender.close();
			receiver.close();
		}
	}

	@Test
	void queueFullFailsAtOnceAndSendsNothing() throws Exception {
		UnixSocketChannel[] pair = UnixSocketChannel.pair();
		IpcChannel sender = IpcChannel.of(pair[0], "sender");
		IpcChannel idle = IpcChannel.of(pair[1], "idle");
		try {
			sender.appQueueCapacity(2);
			String big = "x".repeat(512 * 1024);
			assertThatThrownBy(() -> {
				for (int i = 0; i < 100; i++) {
					sender.queue(new Message.AppMessage("t", "\"" + big + "\"", 0, 1, null, 0));
				}
			}).isInstanceOf(QueueFullException.class).hasMessageContaining("jproc.messaging.queue-capacity");
		}
		finally {
			sender.close();
			idle.close();
		}
	}

	@Test
	void controlFrameOvertakesQueuedApplicationMessages() throws Exception {
		UnixSocketChannel[] pair = UnixSocketChannel.pair();
		IpcChannel sender = IpcChannel.of(pair[0], "sender");
		IpcChannel receiver = IpcChannel.of(pair[1], "receiver");
		try {
			Recorder seen = new Recorder() {

				@Override
				public void onMessage(Envelope envelope) {
					super.onMessage(envelope);
					sleep(20);
				}

			};
			receiver.start(seen);
			// 10 MB: over the default byte bound of the application queue (8 MiB)
			sender.appQueueLimits(1024, 16 * 1024 * 1024, null);
			String payload = "\"" + "x".repeat(256 * 1024) + "\"";
			for (int i = 0; i < 40; i++) {
				sender.queue(new Message.AppMessage("t", payload, 0, 1, null, 0));
			}
			Thread.sleep(100);
			assertThat(sender.send(new Message.Stop("urgent"))).isTrue();
			int position = 0;
			while (!(seen.next().message() instanceof Message.Stop)) {
				position++;
			}
			// Behind the queue it would come 41st; it waits only for the frames already
			// in the
			// socket and the one being written (how many depends on the machine's load).
			assertThat(position).as("application frames before the control frame").isLessThan(30);
		}
		finally {
			sender.close();
			receiver.close();
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	static class Recorder implements IpcChannel.Listener {

		final BlockingQueue<Envelope> messages = new LinkedBlockingQueue<>();

		final BlockingQueue<MalformedFrameException> errors = new LinkedBlockingQueue<>();

		final CountDownLatch closed = new CountDownLatch(1);

		@Override
		public void onMessage(Envelope envelope) {
			this.messages.add(envelope);
		}

		@Override
		public void onMalformed(MalformedFrameException error) {
			this.errors.add(error);
		}

		@Override
		public void onClosed() {
			this.closed.countDown();
		}

		Envelope next() throws InterruptedException {
			Envelope envelope = this.messages.poll(5, TimeUnit.SECONDS);
			assertThat(envelope).as("a message within 5 s").isNotNull();
			return envelope;
		}

	}

}
