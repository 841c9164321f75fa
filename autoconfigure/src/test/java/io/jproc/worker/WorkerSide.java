package io.jproc.worker;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import io.jproc.JprocProperties;
import io.jproc.testsupport.RecordingChannel;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ApplicationAvailabilityBean;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One worker's side of the channel, wired as {@link JprocWorkerAutoConfiguration} wires
 * it, on a {@link RecordingChannel} and a {@link FakeServer}, with an exit that is
 * recorded instead of taken. Close it after the test.
 */
final class WorkerSide implements AutoCloseable {

	final LongLivedConnections longLived = new LongLivedConnections();

	final RecordingChannel channel = new RecordingChannel();

	final FakeServer server = new FakeServer();

	final GenericApplicationContext context = new GenericApplicationContext();

	final WorkerIdentity identity;

	final MasterLink link;

	final WorkerReadiness readiness;

	final WorkerDeparture departure;

	final BlockingQueue<Integer> exits = new LinkedBlockingQueue<>();

	/** Halts of a worker that left mid-boot: none here, whose grace outlasts a test. */
	final BlockingQueue<Integer> halts = new LinkedBlockingQueue<>();

	final BootExit bootExit;

	private final String savedLabel = LabelProperty.save();

	/**
	 * A worker, or a spare with id 0, whose server is held if it is a spare.
	 * @param id the worker id
	 */
	WorkerSide(int id) {
		this(id, noWarmup());
	}

	private static JprocProperties.Warmup noWarmup() {
		JprocProperties.Warmup off = new JprocProperties.Warmup();
		off.setRequests(0);
		return off;
	}

	WorkerSide(int id, JprocProperties.Warmup warmup) {
		this.context.registerBean(ApplicationAvailabilityBean.class);
		this.context.refresh();
		this.server.held = (id == 0) || warmup.isEnabled();
		this.identity = new WorkerIdentity(id, 7, null, this.context);
		this.link = new MasterLink(this.identity, this.channel, this.channel::start, Duration.ofSeconds(1));
		this.readiness = new WorkerReadiness(this.identity, this.link, this.server, warmup, this.context);
		this.bootExit = new BootExit(this.identity::label, this.context, this.exits::add, this.halts::add,
				Duration.ofMinutes(10));
		this.departure = new WorkerDeparture(this.identity, this.link, this.readiness, this.server,
				Duration.ofSeconds(30), this.longLived, Duration.ofMillis(300), this.context, this.bootExit,
				this.exits::add);
		this.link.start();
	}

	/**
	 * Wait up to 5 s for a condition another thread makes true.
	 * @param condition the condition
	 */
	static void eventually(BooleanSupplier condition) {
		long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		while (!condition.getAsBoolean()) {
			assertThat(System.nanoTime()).as("the condition within 5 s").isLessThan(deadline);
			try {
				Thread.sleep(5);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}
	}

	ReadinessState readinessState() {
		return this.context.getBean(ApplicationAvailability.class).getReadinessState();
	}

	/**
	 * The exit code the worker left with.
	 * @return the code
	 */
	int exitCode() throws InterruptedException {
		Integer code = this.exits.poll(5, TimeUnit.SECONDS);
		assertThat(code).as("an exit within 5 s").isNotNull();
		return code;
	}

	@Override
	public void close() {
		this.context.close();
		LabelProperty.restore(this.savedLabel);
	}

	/** A web server that records what jproc asks of it. */
	static final class FakeServer implements WorkerServer {

		volatile boolean held;

		final AtomicInteger starts = new AtomicInteger();

		final AtomicInteger pauses = new AtomicInteger();

		final AtomicInteger closes = new AtomicInteger();

		volatile WorkerServer.@Nullable Loopback loopback;

		volatile Runnable onPause = () -> {
		};

		@Override
		public boolean isHeld() {
			return this.held;
		}

		@Override
		public void startAccepting() {
			if (this.held) {
				this.held = false;
				this.starts.incrementAndGet();
			}
		}

		@Override
		public void pauseAccepting() {
			this.onPause.run();
			this.pauses.incrementAndGet();
		}

		@Override
		public void closeInherited() {
			this.closes.incrementAndGet();
		}

		@Override
		public WorkerServer.@Nullable Loopback loopback(ApplicationContext context) {
			return this.loopback;
		}

	}

}
