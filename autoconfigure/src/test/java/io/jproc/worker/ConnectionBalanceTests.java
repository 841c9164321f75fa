package io.jproc.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import io.jproc.ipc.Scoreboard;
import io.jproc.ipc.Scoreboard.Entry;
import io.jproc.ipc.Scoreboard.State;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rule that spreads connections, alone and with balancers sharing one board: a worker
 * far above the least loaded one stops accepting, the pool never stops accepting, and a
 * burst of connections that the kernel always hands to the same worker ends up spread.
 */
class ConnectionBalanceTests {

	/** The rule reads counts and states only. */
	private static final long ANY = 1;

	private final ConnectionBalance rule = new ConnectionBalance(2);

	@Test
	void workerWithinTheAllowanceKeepsAccepting() {
		assertThat(this.rule.shouldPause(7, List.of(new Entry(ANY, 5, State.ACCEPTING)))).isFalse();
	}

	@Test
	void workerPastTheAllowanceStopsWhileALessLoadedWorkerAccepts() {
		assertThat(this.rule.shouldPause(8, List.of(new Entry(ANY, 5, State.ACCEPTING)))).isTrue();
	}

	@Test
	void workerPastTheAllowanceKeepsAcceptingWhenNoLessLoadedWorkerAccepts() {
		assertThat(this.rule.shouldPause(8, List.of(new Entry(ANY, 5, State.PAUSED)))).isFalse();
		assertThat(this.rule.shouldPause(8, List.of())).isFalse();
	}

	@Test
	void theLeastLoadedWorkerNeverStops() {
		assertThat(this.rule.shouldPause(0,
				List.of(new Entry(ANY, 50, State.ACCEPTING), new Entry(ANY, 90, State.PAUSED))))
			.isFalse();
	}

	@Test
	void allowanceGrowsToATenthOfTheLeastLoadedWorker() {
		assertThat(this.rule.allowance(5)).isEqualTo(2);
		assertThat(this.rule.allowance(1000)).isEqualTo(100);
		assertThat(this.rule.shouldPause(1090, List.of(new Entry(ANY, 1000, State.ACCEPTING)))).isFalse();
		assertThat(this.rule.shouldPause(1101, List.of(new Entry(ANY, 1000, State.ACCEPTING)))).isTrue();
	}

	@Test
	void stoppedWorkerResumesOnceNearTheLeastLoadedOrWhenNoOtherAccepts() {
		assertThat(this.rule.shouldResume(8, List.of(new Entry(ANY, 5, State.ACCEPTING)))).isFalse();
		assertThat(this.rule.shouldResume(6, List.of(new Entry(ANY, 5, State.ACCEPTING)))).isTrue();
		assertThat(this.rule.shouldResume(80, List.of(new Entry(ANY, 5, State.PAUSED)))).isTrue();
		assertThat(this.rule.shouldResume(80, List.of())).isTrue();
	}

	@Test
	void burstThatTheKernelAlwaysGivesToTheFirstAcceptingWorkerEndsUpSpread() {
		Pool pool = new Pool(4);
		for (int i = 0; i < 100; i++) {
			// One every 10 ms, as bench/ws-spread.sh opens them.
			pool.tickAll();
			pool.connect();
		}
		assertThat(pool.max()).as("busiest against least busy of " + pool.counts())
			.isLessThanOrEqualTo((long) Math.ceil(pool.min() * 1.3));
	}

	@Test
	void randomOpensAndClosesNeverLeaveThePoolWithoutAnAcceptingWorker() {
		Random random = new Random(42);
		for (int run = 0; run < 50; run++) {
			Pool pool = new Pool(2 + random.nextInt(4));
			for (int step = 0; step < 400; step++) {
				if (random.nextInt(3) > 0) {
					pool.connect();
				}
				else {
					pool.closeOne(random);
				}
				if (random.nextInt(5) == 0) {
					pool.tickAll();
				}
				assertThat(pool.accepting()).as("workers accepting at run " + run + " step " + step).isPositive();
			}
		}
	}

	@Test
	void stoppedWorkerAcceptsAgainWhenTheWorkerThatAcceptedIsGone() {
		Scoreboard board = Scoreboard.inMemory();
		AtomicLong now = new AtomicLong(1_000_000);
		Worker busy = new Worker(board, ProcessHandle.current().pid(), now);
		Scoreboard.Slot gone = board.claim(5_000_000, now.get());
		gone.publish(0, State.ACCEPTING, now.get());
		for (int i = 0; i < 5; i++) {
			busy.balancer.opened();
		}
		assertThat(busy.balancer.isPaused()).as("paused while the other seems to accept").isTrue();
		busy.balancer.balance();
		assertThat(busy.balancer.isPaused()).as("the other's process is gone, its slot not stale yet").isFalse();
		assertThat(busy.accepting).isTrue();
	}

	@Test
	void workerFrozenWithTheLockTakenStopsNoOneFromAccepting() throws Exception {
		Scoreboard board = Scoreboard.inMemory();
		AtomicLong now = new AtomicLong(1_000_000);
		long live = ProcessHandle.current().pid();
		Worker busy = new Worker(board, live, now);
		Scoreboard.Slot frozen = board.claim(live, now.get());
		frozen.publish(0, State.ACCEPTING, now.get());
		// The frozen worker was stopped (SIGSTOP, a freezer) between lock and unlock: its
		// process is alive and never lets go. The accepting thread of the busy worker
		// must
		// not wait on it.
		assertThat(board.tryLock(live, Scoreboard.LOCK_WAIT_NANOS)).isTrue();
		Thread accepting = new Thread(() -> {
			for (int i = 0; i < 5; i++) {
				busy.balancer.opened();
			}
		});
		accepting.setDaemon(true);
		accepting.start();
		accepting.join(10_000);
		assertThat(accepting.isAlive()).as("accepting thread waits on the frozen holder").isFalse();
		assertThat(busy.balancer.isPaused()).as("kept accepting without the lock").isFalse();
		assertThat(busy.accepting).isTrue();
		assertThat(busy.balancer.lockMisses()).isPositive();
		board.unlock(live);
		busy.balancer.opened();
		assertThat(busy.balancer.isPaused()).as("decides again once the lock is free").isTrue();
	}

	@Test
	void stoppedWorkerAsksTheKernelWhetherTheOthersLiveAtMostOncePerWindow() {
		Scoreboard board = Scoreboard.inMemory();
		AtomicLong now = new AtomicLong(1_000_000);
		long live = ProcessHandle.current().pid();
		AtomicLong asked = new AtomicLong();
		Scoreboard.Slot slot = board.claim(live, now.get());
		Worker busy = new Worker(board, slot, now, (pid) -> {
			asked.incrementAndGet();
			return true;
		});
		Scoreboard.Slot other = board.claim(live, now.get());
		other.publish(0, State.ACCEPTING, now.get());
		for (int i = 0; i < 5; i++) {
			busy.balancer.opened();
		}
		assertThat(busy.balancer.isPaused()).isTrue();
		// A stopped worker looks again at every accept, close and tick: under a flood of
		// short connections that is thousands of times a second.
		for (int i = 0; i < 1000; i++) {
			busy.balancer.balance();
		}
		assertThat(asked).as("asked the kernel within one window").hasValue(1);
		now.addAndGet(ConnectionBalancer.LIVENESS_MILLIS);
		busy.balancer.balance();
		assertThat(asked).as("asked again once the window is over").hasValue(2);
		assertThat(busy.balancer.isPaused()).as("the other accepts and has fewer").isTrue();
	}

	@Test
	void workerThatStopsServingIsIgnoredAndTheOthersAcceptAgain() {
		Pool pool = new Pool(2);
		pool.workers.get(1).serving = false;
		pool.tickAll();
		for (int i = 0; i < 20; i++) {
			pool.connect();
		}
		assertThat(pool.workers.get(0).balancer.isPaused()).isFalse();
		assertThat(pool.workers.get(0).balancer.connections()).isEqualTo(20);
	}

	/**
	 * Workers on one board whose kernel hands each connection to the first worker that
	 * accepts, the worst case for spreading.
	 */
	private static final class Pool {

		private final Scoreboard board = Scoreboard.inMemory();

		private final AtomicLong now = new AtomicLong(1_000_000);

		private final List<Worker> workers = new ArrayList<>();

		Pool(int size) {
			for (int i = 0; i < size; i++) {
				// Live pids: a stopped worker does not count on a process that is gone.
				this.workers.add(new Worker(this.board, ProcessHandle.current().pid(), this.now));
			}
			tickAll();
		}

		void connect() {
			for (Worker worker : this.workers) {
				if (worker.serving && worker.accepting) {
					worker.balancer.opened();
					worker.open++;
					return;
				}
			}
			throw new AssertionError("no worker accepts: " + counts());
		}

		void closeOne(Random random) {
			Worker worker = this.workers.get(random.nextInt(this.workers.size()));
			if (worker.open > 0) {
				worker.open--;
				worker.balancer.closed();
			}
		}

		void tickAll() {
			this.now.addAndGet(10);
			this.workers.forEach((worker) -> worker.balancer.balance());
		}

		long accepting() {
			return this.workers.stream().filter((worker) -> worker.serving && worker.accepting).count();
		}

		List<Long> counts() {
			return this.workers.stream().map((worker) -> worker.balancer.connections()).toList();
		}

		long max() {
			return counts().stream().mapToLong(Long::longValue).max().orElse(0);
		}

		long min() {
			return counts().stream().mapToLong(Long::longValue).min().orElse(0);
		}

	}

	private static final class Worker implements WorkerServer {

		private final ConnectionBalancer balancer;

		private boolean accepting = true;

		private boolean serving = true;

		private long open;

		Worker(Scoreboard board, long pid, AtomicLong now) {
			Scoreboard.Slot slot = board.claim(pid, now.get());
			assertThat(slot).isNotNull();
			this.balancer = new ConnectionBalancer(board, slot, new ConnectionBalance(2), this, () -> this.serving,
					now::get);
		}

		Worker(Scoreboard board, Scoreboard.Slot slot, AtomicLong now, java.util.function.LongPredicate alive) {
			this.balancer = new ConnectionBalancer(board, slot, new ConnectionBalance(2), this, () -> this.serving,
					now::get, alive);
		}

		@Override
		public void balanceAccepting(boolean accept) {
			this.accepting = accept;
		}

		@Override
		public boolean isHeld() {
			return false;
		}

		@Override
		public void startAccepting() {
		}

		@Override
		public void pauseAccepting() {
		}

		@Override
		public void closeInherited() {
		}

		@Override
		public WorkerServer.Loopback loopback(org.springframework.context.ApplicationContext context) {
			return null;
		}

	}

}
