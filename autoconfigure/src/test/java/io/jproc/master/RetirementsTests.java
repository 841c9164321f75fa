package io.jproc.master;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.jproc.JprocProperties;
import io.jproc.ipc.Envelope;
import io.jproc.ipc.IpcChannel;
import io.jproc.ipc.MalformedFrameException;
import io.jproc.ipc.Message;
import jnr.unixsocket.UnixSocketChannel;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The master's retirement rules, without processes: a fake pool records what
 * {@link Retirements} asks of it, and real channels carry what it tells workers.
 */
class RetirementsTests {

	private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

	private final JprocProperties properties = new JprocProperties();

	private final FakePool pool = new FakePool();

	private final List<IpcChannel> channels = new ArrayList<>();

	private final BlockingQueue<Message> toWorkers = new LinkedBlockingQueue<>();

	private int nextPid = 100;

	@AfterEach
	void closeChannels() {
		this.channels.forEach(IpcChannel::close);
	}

	@Test
	void urgentRetirementDrainsAtOnceAndIsReplacedAsAFailure() throws Exception {
		Retirements retirements = new Retirements(this.properties, this.pool);
		WorkerHandle worker = readyWorker(1);
		retirements.onRetire(worker, new Message.Retire("OutOfMemoryError", true), T0);
		assertThat(worker.state()).isEqualTo(WorkerState.DRAINING);
		assertThat(this.pool.replaced).containsExactly("1 failure");
		assertThat(worker.killAt()).isEqualTo(T0.plus(this.properties.getDrainTimeout()).plus(Retirements.KILL_GRACE));
		assertThat(this.toWorkers.poll(200, TimeUnit.MILLISECONDS)).as("nothing to tell a worker that left").isNull();
	}

	@Test
	void plannedRetirementKeepsServingUntilItsReplacementIsReady() throws Exception {
		Retirements retirements = new Retirements(this.properties, this.pool);
		WorkerHandle worker = readyWorker(1);
		retirements.onRetire(worker, new Message.Retire("recycle", false), T0);
		assertThat(worker.state()).isEqualTo(WorkerState.RETIRING);
		assertThat(worker.state().isServing()).isTrue();
		assertThat(this.pool.replaced).containsExactly("1 planned");
		WorkerHandle replacement = readyWorker(1);
		retirements.onReady(replacement, T0.plusSeconds(4));
		assertThat(worker.state()).isEqualTo(WorkerState.DRAINING);
		assertThat(this.toWorkers.poll(5, TimeUnit.SECONDS))
			.isEqualTo(new Message.ReplacementReady(replacement.pid()));
	}

	@Test
	void plannedRetirementsTakeTurnsButUrgentOnesDoNotWait() throws Exception {
		Retirements retirements = new Retirements(this.properties, this.pool);
		WorkerHandle first = readyWorker(1);
		WorkerHandle second = readyWorker(2);
		WorkerHandle third = readyWorker(3);
		retirements.onRetire(first, new Message.Retire("recycle", false), T0);
		retirements.onRetire(second, new Message.Retire("recycle", false), T0);
		assertThat(second.state()).as("waits its turn, serving").isEqualTo(WorkerState.READY);
		retirements.onRetire(third, new Message.Retire("StackOverflowError", true), T0);
		assertThat(this.pool.replaced).containsExactly("1 planned", "3 failure");
		retirements.onReady(readyWorker(1), T0.plusSeconds(4));
		assertThat(second.state()).isEqualTo(WorkerState.RETIRING);
		assertThat(this.pool.replaced).containsExactly("1 planned", "3 failure", "2 planned");
	}

	@Test
	void plannedRetirementDrainsAnywayAfterTheReplaceTimeout() throws Exception {
		this.properties.setReplaceTimeout(Duration.ofSeconds(10));
		Retirements retirements = new Retirements(this.properties, this.pool);
		WorkerHandle worker = readyWorker(1);
		retirements.onRetire(worker, new Message.Retire("recycle", false), T0);
		retirements.tick(List.of(worker), T0.plusSeconds(9), true);
		assertThat(worker.state()).isEqualTo(WorkerState.RETIRING);
		retirements.tick(List.of(worker), T0.plusSeconds(11), true);
		assertThat(worker.state()).isEqualTo(WorkerState.DRAINING);
		assertThat(this.toWorkers.poll(5, TimeUnit.SECONDS)).isEqualTo(new Message.ReplacementReady(-1));
	}

	@Test
	void fatalErrorWhileWaitingForAReplacementStopsAcceptingWithoutASecondReplacement() throws Exception {
		Retirements retirements = new Retirements(this.properties, this.pool);
		WorkerHandle worker = readyWorker(1);
		retirements.onRetire(worker, new Message.Retire("recycle", false), T0);
		retirements.onRetire(worker, new Message.Retire("OutOfMemoryError", true), T0.plusSeconds(1));
		assertThat(worker.state()).isEqualTo(WorkerState.DRAINING);
		assertThat(this.pool.replaced).containsExactly("1 planned");
		assertThat(retirements.of(worker).reason()).isEqualTo("OutOfMemoryError");
	}

	@Test
	void silentWorkerIsReplacedDumpedTerminatedThenKilled() throws Exception {
		this.properties.getHeartbeat().setTimeout(Duration.ofSeconds(3));
		Retirements retirements = new Retirements(this.properties, this.pool);
		WorkerHandle worker = readyWorker(1);
		retirements.tick(List.of(worker), T0.plusSeconds(3), true);
		assertThat(this.pool.signals).isEmpty();
		Instant hungAt = T0.plusMillis(3_200);
		retirements.tick(List.of(worker), hungAt, true);
		assertThat(this.pool.replaced).containsExactly("1 failure");
		assertThat(worker.state()).isEqualTo(WorkerState.DRAINING);
		assertThat(this.pool.signals).containsExactly(Retirements.SIGQUIT, Retirements.SIGCONT);
		Instant termAt = hungAt.plus(Retirements.DUMP_WAIT);
		retirements.tick(List.of(worker), termAt, false);
		assertThat(this.pool.signals).endsWith(Retirements.SIGTERM);
		retirements.tick(List.of(worker), termAt.plus(Retirements.KILL_GRACE).plusMillis(1), false);
		assertThat(this.pool.signals).endsWith(Retirements.SIGKILL);
	}

	@Test
	void retirementLineWaitsForTheReplacementAndHasEveryMoment() throws Exception {
		Retirements retirements = new Retirements(this.properties, this.pool);
		WorkerHandle worker = readyWorker(1);
		retirements.onRetire(worker, new Message.Retire("OutOfMemoryError", true), T0);
		retirements.onDrained(worker, 0, T0.plusMillis(100));
		worker.exited(new Exit(0, 0));
		assertThat(retirements.onExited(worker, new Exit(0, 0), T0.plusMillis(400))).isEqualTo("OutOfMemoryError");
		Retirement retirement = retirements.of(worker);
		assertThat(retirement).as("kept until the replacement is ready").isNotNull();
		retirements.onReady(this.pool.last, T0.plusSeconds(4));
		assertThat(retirements.of(worker)).isNull();
		assertThat(retirement.summary()).isEqualTo(worker + " retired (OutOfMemoryError): asked, replacement pid "
				+ this.pool.last.pid() + " started +" + Arbiter.seconds(Duration.between(T0, this.pool.last.spawnedAt()))
				+ " and ready +4.0 s, drained +0.1 s, exited +0.4 s with exit code 0");
	}

	private WorkerHandle readyWorker(int id) throws IOException {
		UnixSocketChannel[] pair = UnixSocketChannel.pair();
		IpcChannel master = IpcChannel.of(pair[0], "worker " + id);
		IpcChannel worker = IpcChannel.of(pair[1], "master");
		worker.start(new IpcChannel.Listener() {

			@Override
			public void onMessage(Envelope envelope) {
				RetirementsTests.this.toWorkers.add(envelope.message());
			}

			@Override
			public void onMalformed(MalformedFrameException error) {
			}

			@Override
			public void onClosed() {
			}

		});
		this.channels.add(master);
		this.channels.add(worker);
		WorkerHandle handle = new WorkerHandle(id, this.nextPid++, T0, master);
		handle.ready(T0);
		return handle;
	}

	private final class FakePool implements Retirements.Pool {

		private final List<String> replaced = new ArrayList<>();

		private final List<Integer> signals = new ArrayList<>();

		private @Nullable WorkerHandle last;

		@Override
		public @Nullable WorkerHandle replace(WorkerHandle leaving, boolean failure, Instant now) {
			this.replaced.add(leaving.id() + (failure ? " failure" : " planned"));
			try {
				UnixSocketChannel[] pair = UnixSocketChannel.pair();
				IpcChannel channel = IpcChannel.of(pair[0], "replacement");
				RetirementsTests.this.channels.add(channel);
				pair[1].close();
				this.last = new WorkerHandle(leaving.id(), RetirementsTests.this.nextPid++, now, channel);
				return this.last;
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		}

		@Override
		public boolean isGivenUp(WorkerHandle worker) {
			return false;
		}

		@Override
		public void signal(long pid, int signal) {
			this.signals.add(signal);
		}

	}

}
