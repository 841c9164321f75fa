package io.jproc.messaging;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.annotation.Scheduled;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LeaderGate} and {@link LeaderState}: leader-only methods, per
 * subscription for reactive ones, and a revoke that waits for work in progress.
 */
class LeaderGateTests {

	private final List<Object> events = new CopyOnWriteArrayList<>();

	private final LeaderState state = new LeaderState(() -> "worker 1", this.events::add, Duration.ofSeconds(5));

	private final Jobs target = new Jobs();

	private final Jobs jobs = proxy(this.target, true);

	@AfterEach
	void stop() {
		this.state.destroy();
	}

	private <T> T proxy(T target, boolean scheduledLeaderOnly) {
		ProxyFactory factory = new ProxyFactory(target);
		factory.setProxyTargetClass(true);
		factory.addAdvisor(new DefaultPointcutAdvisor(new LeaderGate.Pointcut(scheduledLeaderOnly),
				new LeaderGate(() -> this.state)));
		@SuppressWarnings("unchecked")
		T proxy = (T) factory.getProxy();
		return proxy;
	}

	@Test
	void scheduledMethodRunsOnlyOnTheLeader() {
		this.jobs.tick();
		assertThat(this.target.ticks).hasValue(0);
		this.state.granted(1);
		this.jobs.tick();
		assertThat(this.target.ticks).hasValue(1);
		this.state.revoked(1, (epoch) -> {
		});
		this.jobs.tick();
		assertThat(this.target.ticks).hasValue(1);
	}

	@Test
	void everyWorkerAndUnannotatedMethodsAlwaysRun() {
		this.jobs.everywhere();
		assertThat(this.target.everywhere).hasValue(1);
		assertThat(this.jobs.count()).isEqualTo(7);
	}

	@Test
	void leaderOnlyMethodIsGatedEvenWhenScheduledIsNot() {
		Jobs relaxedTarget = new Jobs();
		Jobs relaxed = proxy(relaxedTarget, false);
		relaxed.tick();
		assertThat(relaxedTarget.ticks).as("@Scheduled with leader-only=false").hasValue(1);
		assertThat(relaxed.leaderCount()).as("@LeaderOnly int on a follower").isZero();
	}

	@Test
	void reactiveMethodIsCheckedPerSubscriptionAndCancelledOnRevoke() throws Exception {
		Flux<Long> ticks = this.jobs.reactive();
		assertThat(ticks.collectList().block(Duration.ofSeconds(5))).as("follower's subscription").isEmpty();
		this.state.granted(1);
		AtomicLong seen = new AtomicLong();
		CountDownLatch done = new CountDownLatch(1);
		Disposable subscription = ticks.doFinally((signal) -> done.countDown())
			.subscribe((tick) -> seen.incrementAndGet());
		Thread.sleep(200);
		assertThat(seen.get()).isPositive();
		CountDownLatch acked = new CountDownLatch(1);
		this.state.revoked(1, (epoch) -> acked.countDown());
		assertThat(done.await(5, TimeUnit.SECONDS)).as("subscription ended by the revoke").isTrue();
		assertThat(acked.await(5, TimeUnit.SECONDS)).isTrue();
		subscription.dispose();
	}

	@Test
	void revokeIsAcknowledgedOnlyAfterRunningWorkEnds() throws Exception {
		this.state.granted(3);
		CountDownLatch started = new CountDownLatch(1);
		Thread slow = new Thread(() -> this.jobs.slow(started));
		slow.start();
		assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
		AtomicLong ackedAt = new AtomicLong();
		CountDownLatch acked = new CountDownLatch(1);
		this.state.revoked(3, (epoch) -> {
			ackedAt.set(System.nanoTime());
			acked.countDown();
		});
		assertThat(acked.await(5, TimeUnit.SECONDS)).isTrue();
		slow.join();
		assertThat(ackedAt.get()).as("acknowledged after the slow run ended")
			.isGreaterThanOrEqualTo(this.target.slowEnded);
		assertThat(this.events).containsExactly(new LeadershipGranted(3), new LeadershipRevoked(3));
	}

	@Test
	void leaderOnlyLifecycleStartsOnGrantAndStopsBeforeTheAcknowledgement() throws Exception {
		Consumer consumer = proxy(new Consumer(), true);
		this.state.lifecycles(List.of(consumer));
		consumer.start();
		assertThat(consumer.isRunning()).as("auto-start on a follower").isFalse();
		this.state.granted(1);
		long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
		while (!consumer.isRunning() && System.nanoTime() < end) {
			Thread.sleep(10);
		}
		assertThat(consumer.isRunning()).as("started on grant").isTrue();
		AtomicInteger runningAtAck = new AtomicInteger(-1);
		CountDownLatch acked = new CountDownLatch(1);
		this.state.revoked(1, (epoch) -> {
			runningAtAck.set(consumer.isRunning() ? 1 : 0);
			acked.countDown();
		});
		assertThat(acked.await(5, TimeUnit.SECONDS)).isTrue();
		assertThat(runningAtAck).as("running when the revoke was acknowledged").hasValue(0);
	}

	@LeaderOnly
	static class Consumer implements SmartLifecycle {

		private volatile boolean running;

		@Override
		public void start() {
			this.running = true;
		}

		@Override
		public void stop() {
			this.running = false;
		}

		@Override
		public boolean isRunning() {
			return this.running;
		}

	}

	static class Jobs {

		final AtomicInteger ticks = new AtomicInteger();

		final AtomicInteger everywhere = new AtomicInteger();

		volatile long slowEnded;

		@Scheduled(fixedRate = 1000)
		void tick() {
			this.ticks.incrementAndGet();
		}

		@Scheduled(fixedRate = 1000)
		@EveryWorker
		void everywhere() {
			this.everywhere.incrementAndGet();
		}

		int count() {
			return 7;
		}

		@LeaderOnly
		int leaderCount() {
			return 9;
		}

		@Scheduled(fixedDelay = 1000)
		Flux<Long> reactive() {
			return Flux.interval(Duration.ofMillis(10));
		}

		@Scheduled(fixedRate = 1000)
		void slow(CountDownLatch started) {
			started.countDown();
			try {
				Thread.sleep(500);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.slowEnded = System.nanoTime();
		}

	}

}
