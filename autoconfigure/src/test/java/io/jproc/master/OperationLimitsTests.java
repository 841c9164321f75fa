package io.jproc.master;

import java.time.Duration;
import java.util.List;

import io.jproc.JprocProperties;
import io.jproc.ipc.Message;
import io.jproc.ipc.Message.Command.Action;
import io.jproc.ipc.Message.CommandResult.Refusal;
import io.jproc.ipc.PoolStatus;
import io.jproc.master.process.WorkerHandle;
import io.jproc.master.process.WorkerState;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Operations with limits, in the {@link Arbiter}'s loop with fake processes: at most
 * {@code jproc.worker.max-booting} JVMs boot at once, whatever asks for them (a scale, a
 * crash of many, spares); one operation at a time; a pool no larger than
 * {@code jproc.max-workers}; each new worker sized for the pool it joins.
 */
class OperationLimitsTests {

	private static FakePool pool(int workers, int maxBooting, int maxWorkers, int spares) {
		JprocProperties properties = new JprocProperties();
		properties.getWorker().setMaxBooting(maxBooting);
		properties.setMaxWorkers(maxWorkers);
		properties.setSpareWorkers(spares);
		return new FakePool(workers, properties);
	}

	/** The worker JVMs booting now, as the processes are: started and not ready. */
	private static List<WorkerHandle> booting(FakePool pool) {
		return pool.alive.values()
			.stream()
			.filter((worker) -> worker.state() == WorkerState.STARTING && !worker.isLeaving())
			.toList();
	}

	/**
	 * Let the booting workers become ready one round at a time, checking the bound each
	 * round, until none boots.
	 * @return the rounds it took
	 */
	private static int bootInRounds(FakePool pool, int maxBooting) {
		int rounds = 0;
		while (!booting(pool).isEmpty()) {
			List<WorkerHandle> now = booting(pool);
			assertThat(now).as("booting at once, round %d", rounds).hasSizeLessThanOrEqualTo(maxBooting);
			now.forEach(pool::ready);
			// Each Ready is a step of the loop, which reconciles: the next workers are
			// already booting. (The whole check costs O(n^2): not every round.)
			if (rounds % 16 == 0) {
				pool.assertConsistent();
			}
			rounds++;
			assertThat(rounds).as("rounds").isLessThan(1000);
		}
		return rounds;
	}

	@Test
	void scaleTo256BootsAtMostMaxBootingAtATimeUntilTheyAreReady() {
		FakePool pool = pool(1, 2, 256, 0);
		pool.settle();
		Message.CommandResult result = pool.command(Action.SCALE, 256, null);
		assertThat(result.accepted()).as(result.message()).isTrue();
		assertThat(result.message()).contains("255 new workers, 2 booting at once at most");
		assertThat(pool.launched).as("one tick, two JVMs").hasSize(3);
		assertThat(pool.arbiter.pool().waitingToBoot()).isEqualTo(253);
		PoolStatus.Operation running = pool.status().master().operation();
		assertThat(running.state()).isEqualTo(PoolStatus.Operation.State.RUNNING);
		assertThat(running.message()).contains("0 of 255 new workers ready, 2 booting, 253 waiting to boot");
		// Nothing more boots with time alone: the next two wait for these to be ready.
		pool.advance(Duration.ofSeconds(5));
		assertThat(pool.launched).hasSize(3);
		int rounds = bootInRounds(pool, 2);
		assertThat(rounds).isEqualTo(128);
		pool.assertWhole(256);
		assertThat(pool.launched).hasSize(256);
		PoolStatus.Operation done = pool.status().master().operation();
		assertThat(done.state()).isEqualTo(PoolStatus.Operation.State.DONE);
		assertThat(done.replaced()).isEqualTo(255);
		assertThat(done.total()).isEqualTo(255);
	}

	@Test
	void crashOfEverySlotBootsAtMostMaxBootingAtATimeInIdOrder() {
		FakePool pool = pool(6, 2, 6, 0);
		assertThat(pool.launched).as("the start is bounded too").extracting(WorkerHandle::id).containsExactly(1, 2);
		bootInRounds(pool, 2);
		pool.assertWhole(6);
		pool.advance(Duration.ofMinutes(1));
		for (int id = 1; id <= 6; id++) {
			pool.crash(pool.current(id));
		}
		assertThat(pool.launched.subList(6, pool.launched.size())).extracting(WorkerHandle::id).containsExactly(1, 2);
		assertThat(pool.arbiter.pool().waitingToBoot()).isEqualTo(4);
		pool.ready(pool.incoming(2));
		pool.advance(Duration.ofMillis(200));
		assertThat(pool.launched.subList(6, pool.launched.size())).extracting(WorkerHandle::id)
			.containsExactly(1, 2, 3);
		bootInRounds(pool, 2);
		pool.assertWhole(6);
		assertThat(pool.launched).hasSize(12);
	}

	@Test
	void aCrashedSlotBootsBeforeTheSlotsOfARunningScale() {
		FakePool pool = pool(2, 1, 8, 0);
		bootInRounds(pool, 1);
		pool.advance(Duration.ofMinutes(1));
		assertThat(pool.command(Action.SCALE, 6, null).accepted()).isTrue();
		assertThat(pool.incoming(3)).isNotNull();
		pool.crash(pool.current(2));
		assertThat(pool.incoming(2)).as("slot 3 boots: slot 2 waits").isNull();
		pool.ready(pool.incoming(3));
		assertThat(pool.incoming(2)).as("the crashed slot before slots 4 to 6").isNotNull();
		assertThat(pool.incoming(4)).isNull();
		bootInRounds(pool, 1);
		pool.assertWhole(6);
	}

	@Test
	void aBootingSpareCountsAndASlotThatTakesASpareStartsNoJvm() {
		FakePool pool = pool(1, 1, 8, 1);
		pool.ready(pool.incoming(1));
		pool.advance(Duration.ofMillis(200));
		WorkerHandle spare = pool.spares().get(0);
		assertThat(spare.state()).isEqualTo(WorkerState.STARTING);
		assertThat(pool.command(Action.SCALE, 3, null).accepted()).isTrue();
		// Slot 2 takes the booting spare; slot 3 waits for it: one JVM boots.
		assertThat(pool.incoming(2)).isSameAs(spare);
		assertThat(pool.incoming(3)).isNull();
		assertThat(pool.launched).hasSize(2);
		pool.ready(spare);
		pool.advance(Duration.ofMillis(200));
		assertThat(pool.incoming(3)).isNotNull();
		assertThat(booting(pool)).hasSize(1);
		bootInRounds(pool, 1);
		pool.assertWhole(3);
	}

	@Test
	void scaleAboveMaxWorkersIsRefusedNamingTheKey() {
		FakePool pool = pool(2, 4, 4, 0);
		pool.settle();
		Message.CommandResult result = pool.command(Action.SCALE, 5, null);
		assertThat(result.accepted()).isFalse();
		assertThat(result.refusal()).isEqualTo(Refusal.INVALID);
		assertThat(result.message()).contains("scale to 5 refused: at most 4 workers (jproc.max-workers=4)");
		assertThat(pool.launched).hasSize(2);
		assertThat(pool.command(Action.SCALE, 4, null).accepted()).isTrue();
		pool.settle();
		pool.advance(Duration.ofMillis(200));
		pool.signalMaster("TTIN");
		assertThat(pool.arbiter.pool().slots()).hasSize(4);
		assertThat(pool.launched).hasSize(4);
		// A scale down below the cap is always allowed.
		assertThat(pool.command(Action.SCALE, 3, null).accepted()).isTrue();
	}

	@Test
	void anotherScaleUpWhileTheFirstsWorkersBootIsRefusedAndAScaleDownIsTaken() {
		FakePool pool = pool(1, 1, 16, 0);
		pool.settle();
		assertThat(pool.command(Action.SCALE, 8, null).accepted()).isTrue();
		pool.signalMaster("TTIN");
		Message.CommandResult again = pool.command(Action.SCALE, 12, null);
		assertThat(again.accepted()).isFalse();
		assertThat(again.refusal()).isEqualTo(Refusal.CONFLICT);
		assertThat(again.message()).contains("a scale is running", "0 of 7 new workers ready");
		assertThat(pool.arbiter.pool().slots()).as("the TTIN was refused too").hasSize(8);
		assertThat(pool.command(Action.RELOAD, null, null).refusal()).isEqualTo(Refusal.CONFLICT);
		// The operator takes it back: the slots removed are not waited for.
		pool.ready(pool.incoming(2));
		pool.advance(Duration.ofMillis(200));
		assertThat(pool.command(Action.SCALE, 3, null).accepted()).isTrue();
		assertThat(pool.status().master().operation().state()).isEqualTo(PoolStatus.Operation.State.RUNNING);
		bootInRounds(pool, 1);
		pool.settle();
		pool.advance(Duration.ofMillis(200));
		pool.assertWhole(3);
		PoolStatus.Operation done = pool.status().master().operation();
		assertThat(done.state()).isEqualTo(PoolStatus.Operation.State.DONE);
		assertThat(done.total()).isEqualTo(2);
		// Once its workers are ready, the next scale up is taken.
		assertThat(pool.command(Action.SCALE, 4, null).accepted()).isTrue();
	}

	@Test
	void scaleWhileAReloadRunsIsRefused() {
		FakePool pool = pool(2, 4, 8, 0);
		pool.settle();
		pool.signalMaster("HUP");
		for (int workers : new int[] { 3, 1 }) {
			Message.CommandResult result = pool.command(Action.SCALE, workers, null);
			assertThat(result.accepted()).isFalse();
			assertThat(result.refusal()).isEqualTo(Refusal.CONFLICT);
			assertThat(result.message()).contains("a reload is running", "scale when it has ended");
		}
		pool.signalMaster("TTIN");
		pool.signalMaster("TTOU");
		assertThat(pool.arbiter.pool().slots()).hasSize(2);
		pool.settle();
		pool.advance(Duration.ofMillis(200));
		pool.assertWhole(2);
		assertThat(pool.status().master().operation().action()).isEqualTo(Action.RELOAD);
		assertThat(pool.status().master().operation().state()).isEqualTo(PoolStatus.Operation.State.DONE);
		assertThat(pool.command(Action.SCALE, 3, null).accepted()).isTrue();
	}

	@Test
	void reloadWhileAScaleUpBootsIsRefused() {
		FakePool pool = pool(1, 1, 8, 0);
		pool.settle();
		assertThat(pool.command(Action.SCALE, 3, null).accepted()).isTrue();
		pool.signalMaster("HUP");
		Message.CommandResult result = pool.command(Action.RELOAD, null, null);
		assertThat(result.refusal()).isEqualTo(Refusal.CONFLICT);
		assertThat(result.message()).contains("a scale is running", "try again when its workers are ready");
		assertThat(pool.launched).hasSize(2);
		bootInRounds(pool, 1);
		assertThat(pool.command(Action.RELOAD, null, null).accepted()).isTrue();
	}

	@Test
	void aScaleWhoseNewSlotIsGivenUpEndsFailed() {
		FakePool pool = pool(1, 2, 8, 0);
		pool.settle();
		pool.advance(Duration.ofMinutes(1));
		assertThat(pool.command(Action.SCALE, 2, null).accepted()).isTrue();
		for (int i = 0; i < pool.properties.getRestart().getMaxBootFailures(); i++) {
			pool.exit(pool.incoming(2), new io.jproc.master.process.Exit(1, 0));
			pool.advance(pool.properties.getRestart().getMaxBackoff());
		}
		assertThat(pool.slot(2).gaveUp()).isTrue();
		PoolStatus.Operation ended = pool.status().master().operation();
		assertThat(ended.state()).isEqualTo(PoolStatus.Operation.State.FAILED);
		assertThat(ended.message()).contains("0 of 1 new workers ready, 1 slot(s) given up");
		// Not stuck: the next operation is taken.
		assertThat(pool.command(Action.SCALE, 1, null).accepted()).isTrue();
	}

	@Test
	void newWorkersAreSizedForThePoolTheyJoin() {
		FakePool pool = pool(2, 8, 8, 0);
		pool.settle();
		assertThat(pool.poolSizes).containsExactly(2, 2);
		assertThat(pool.command(Action.SCALE, 4, null).accepted()).isTrue();
		pool.settle();
		pool.advance(Duration.ofMillis(200));
		assertThat(pool.poolSizes).containsExactly(2, 2, 4, 4);
		pool.crash(pool.current(1));
		assertThat(pool.poolSizes).as("a replacement too").containsExactly(2, 2, 4, 4, 4);
	}

}
