package io.jproc.messaging;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.Lifecycle;

/**
 * This process's side of leadership: whether it leads, its epoch, and the leader-only
 * work running now. A revoke clears the flag at once, waits for that work to finish (at
 * most {@code jproc.messaging.revoke-timeout}), publishes {@link LeadershipRevoked}, and
 * only then acknowledges, so two leaders' work never overlaps.
 */
final class LeaderState implements JprocLeadership, DisposableBean {

	private static final Log logger = LogFactory.getLog(LeaderState.class);

	private final Supplier<String> self;

	private final ApplicationEventPublisher publisher;

	private final Duration revokeTimeout;

	private final ExecutorService changes;

	private final AtomicInteger running = new AtomicInteger();

	private final Object runningChanged = new Object();

	private volatile boolean leader;

	private volatile long epoch;

	private volatile Sinks.Empty<Void> revoked = Sinks.empty();

	private volatile Runnable yielder = () -> {
	};

	private volatile List<Lifecycle> lifecycles = List.of();

	LeaderState(Supplier<String> self, ApplicationEventPublisher publisher, Duration revokeTimeout) {
		this.self = self;
		this.publisher = publisher;
		this.revokeTimeout = revokeTimeout;
		this.changes = Executors.newSingleThreadExecutor((task) -> {
			Thread thread = new Thread(task, "jproc-leadership");
			thread.setDaemon(true);
			return thread;
		});
	}

	void yielder(Runnable yielder) {
		this.yielder = yielder;
	}

	/**
	 * The leader-only lifecycle beans, started on grant and stopped on revoke.
	 * @param lifecycles the beans (their gated proxies)
	 */
	void lifecycles(List<Lifecycle> lifecycles) {
		this.lifecycles = List.copyOf(lifecycles);
	}

	@Override
	public boolean isLeader() {
		return this.leader;
	}

	@Override
	public long epoch() {
		return this.epoch;
	}

	@Override
	public void yieldLeadership() {
		if (this.leader) {
			this.yielder.run();
		}
	}

	/**
	 * The master granted leadership. Called on the channel's reader thread.
	 * @param epoch the epoch
	 */
	void granted(long epoch) {
		this.revoked = Sinks.empty();
		this.epoch = epoch;
		this.leader = true;
		this.changes.execute(() -> {
			logger.info(this.self.get() + " leads the pool now, epoch " + epoch);
			for (Lifecycle lifecycle : this.lifecycles) {
				if (this.leader && !lifecycle.isRunning()) {
					run("start", lifecycle, lifecycle::start);
				}
			}
			publish(new LeadershipGranted(epoch));
		});
	}

	/**
	 * The master revoked leadership. Called on the channel's reader thread; the
	 * acknowledgement is sent from another thread once leader-only work has stopped.
	 * @param epoch the epoch
	 * @param acknowledge sends the acknowledgement
	 */
	void revoked(long epoch, LongConsumer acknowledge) {
		this.leader = false;
		this.revoked.tryEmitEmpty();
		this.changes.execute(() -> {
			awaitIdle();
			for (Lifecycle lifecycle : this.lifecycles) {
				if (lifecycle.isRunning()) {
					run("stop", lifecycle, lifecycle::stop);
				}
			}
			publish(new LeadershipRevoked(epoch));
			logger.info(this.self.get() + " no longer leads (epoch " + epoch + ")");
			acknowledge.accept(epoch);
		});
	}

	private void run(String what, Lifecycle lifecycle, Runnable action) {
		try {
			action.run();
		}
		catch (RuntimeException ex) {
			logger.warn(this.self.get() + ": could not " + what + " leader-only " + lifecycle.getClass().getSimpleName()
					+ ": " + ex, ex);
		}
	}

	private void publish(Object event) {
		try {
			this.publisher.publishEvent(event);
		}
		catch (RuntimeException ex) {
			logger.warn(this.self.get() + ": a listener of " + event.getClass().getSimpleName() + " failed: " + ex, ex);
		}
	}

	private void awaitIdle() {
		long deadline = System.nanoTime() + this.revokeTimeout.toNanos();
		synchronized (this.runningChanged) {
			while (this.running.get() > 0) {
				long left = deadline - System.nanoTime();
				if (left <= 0) {
					logger.warn(
							this.self.get() + ": leader-only work still running after jproc.messaging.revoke-timeout ("
									+ this.revokeTimeout.toMillis() + " ms); giving up leadership anyway");
					return;
				}
				try {
					this.runningChanged.wait(Math.max(1, left / 1_000_000));
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
			}
		}
	}

	/**
	 * Enter leader-only work: counted first, then checked, so that a revoke either sees
	 * this work running or this work sees the revoke.
	 * @return whether to run; when {@code true}, {@link #exit()} must follow
	 */
	boolean enter() {
		this.running.incrementAndGet();
		if (this.leader) {
			return true;
		}
		exit();
		return false;
	}

	void exit() {
		if (this.running.decrementAndGet() == 0) {
			synchronized (this.runningChanged) {
				this.runningChanged.notifyAll();
			}
		}
	}

	/**
	 * Completes when the current epoch is revoked.
	 * @return the signal
	 */
	Mono<Void> whenRevoked() {
		return this.revoked.asMono();
	}

	@Override
	public void destroy() {
		this.changes.shutdownNow();
	}

}
