package io.jproc.master;

import java.time.Duration;
import java.util.List;

import io.jproc.ExitCodes;
import io.jproc.JprocProperties;
import io.jproc.ipc.Message;
import io.jproc.ipc.PoolStatus;
import io.jproc.master.process.Exit;
import io.jproc.master.process.PosixSignal;
import io.jproc.master.process.WorkerHandle;
import io.jproc.master.process.WorkerState;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for spare workers in the {@link Arbiter}'s loop ({@code jproc.spare-workers}),
 * driven event by event with fake processes: every replacement takes a ready spare, which
 * serves at once in the slot's name; spares boot one at a time and never beside a booting
 * worker; a reload never lets a spare of the old build serve.
 */
class SpareWorkerTests {

	private static final Exit KILLED = new Exit(-1, 9);

	private static FakePool pool(int workers, int spares) {
		JprocProperties properties = new JprocProperties();
		properties.setSpareWorkers(spares);
		return new FakePool(workers, properties);
	}

	/** A pool with its workers and spares ready, a minute after start. */
	private static FakePool ready(int workers, int spares) {
		FakePool pool = pool(workers, spares);
		pool.settle();
		pool.advance(Duration.ofMinutes(1));
		pool.settle();
		pool.assertWhole(workers);
		return pool;
	}

	@Test
	void aSpareFailingToBootFromTheBootCacheDoesNotCount() {
		JprocProperties properties = new JprocProperties();
		properties.setSpareWorkers(1);
		properties.getRestart().setMaxBootFailures(1);
		FakePool pool = new FakePool(1, properties);
		pool.bootCacheReady = true;
		pool.settle();
		pool.advance(Duration.ofMinutes(1));
		WorkerHandle spare = pool.last();
		assertThat(spare.isSpare()).isTrue();
		pool.crash(pool.current(1));
		// The ready spare took the slot; the next spare boots from the cache and fails.
		pool.advance(Duration.ofMillis(200));
		pool.ready(pool.current(1));
		pool.advance(Duration.ofMillis(200));
		WorkerHandle fromCache = pool.last();
		assertThat(fromCache.isSpare()).isTrue();
		assertThat(pool.fromBootCache).contains(fromCache);
		pool.exit(fromCache, new Exit(1, 0));
		pool.advance(Duration.ofMillis(200));
		assertThat(pool.arbiter.pool().spares().gaveUpReason()).isNull();
		assertThat(pool.last()).as("the next spare, from the jar, at once").isNotSameAs(fromCache);
		assertThat(pool.last().isSpare()).isTrue();
		assertThat(pool.fromBootCache).doesNotContain(pool.last());
	}

	private static boolean told(FakePool pool, WorkerHandle worker, Message message) {
		return pool.allSentTo(worker).contains(message);
	}

	@Test
	void sparesBootOneAtATimeOnceNoWorkerBoots() {
		FakePool pool = pool(2, 2);
		assertThat(pool.launched).extracting(WorkerHandle::id).containsExactly(1, 2);
		pool.ready(pool.launched.get(0));
		assertThat(pool.launched).as("no spare while worker 2 boots").hasSize(2);
		pool.ready(pool.launched.get(1));
		assertThat(pool.launched).hasSize(3);
		WorkerHandle first = pool.last();
		assertThat(first.isSpare()).isTrue();
		assertThat(first).hasToString("spare #3 (pid " + first.pid() + ")");
		pool.advance(Duration.ofSeconds(5));
		assertThat(pool.launched).as("one spare boots at a time").hasSize(3);
		pool.ready(first);
		assertThat(pool.launched).hasSize(4);
		pool.settle();
		pool.assertWhole(2);
		PoolStatus status = pool.status();
		assertThat(status.master().sparesWanted()).isEqualTo(2);
		assertThat(status.spares()).extracting(PoolStatus.Spare::state).containsExactly("ready", "ready");
		assertThat(status.spares()).extracting(PoolStatus.Spare::number).containsExactly(3L, 4L);
	}

	@Test
	void crashedWorkerIsReplacedByTheReadySpareAtOnce() {
		FakePool pool = ready(2, 1);
		WorkerHandle spare = pool.spares().get(0);
		int launched = pool.launched.size();
		pool.crash(pool.current(1));
		assertThat(pool.current(1)).as("the spare serves in slot 1 in the same step").isSameAs(spare);
		assertThat(spare.id()).isEqualTo(1);
		assertThat(spare).hasToString("worker 1 (pid " + spare.pid() + ")");
		assertThat(told(pool, spare, new Message.TakeSlot(1))).isTrue();
		assertThat(pool.slot(1).restartsByReason()).containsEntry("crash", 1);
		// No worker is started for the slot; a new spare boots in the background.
		assertThat(pool.launched).hasSize(launched + 1);
		assertThat(pool.last().isSpare()).isTrue();
		pool.settle();
		pool.assertWhole(2);
	}

	@Test
	void sparesAreNoMembersAndNeverLead() {
		FakePool pool = ready(1, 1);
		WorkerHandle spare = pool.spares().get(0);
		for (WorkerHandle worker : List.copyOf(pool.alive.values())) {
			pool.ackRevokes(worker);
		}
		pool.advance(Duration.ofSeconds(1));
		assertThat(pool.arbiter.pool().members()).doesNotContain(spare);
		assertThat(pool.allSentTo(spare)).noneMatch((message) -> message instanceof Message.Members
				|| message instanceof Message.Grant || message instanceof Message.AppMessage);
		// Once it takes the slot it leads, the old leader being gone.
		pool.crash(pool.current(1));
		pool.advance(Duration.ofSeconds(1));
		assertThat(pool.mayLead(spare)).isTrue();
	}

	@Test
	void plannedRetirementHandsOverToTheSpareAtOnce() {
		FakePool pool = ready(1, 1);
		WorkerHandle old = pool.current(1);
		WorkerHandle spare = pool.spares().get(0);
		pool.retire(old, false);
		assertThat(pool.current(1)).isSameAs(spare);
		assertThat(pool.sentTo(old)).contains(new Message.ReplacementReady(spare.pid()));
		pool.settle();
		pool.assertWhole(1);
	}

	@Test
	void urgentRetirementTakesTheSpare() {
		FakePool pool = ready(1, 1);
		WorkerHandle spare = pool.spares().get(0);
		pool.retire(pool.current(1), true);
		assertThat(pool.current(1)).isSameAs(spare);
		assertThat(pool.slot(1).restartsByReason()).containsEntry("fatal", 1);
		pool.settle();
		pool.assertWhole(1);
	}

	@Test
	void scaleUpAndRestartTakeSpares() {
		FakePool pool = ready(1, 1);
		WorkerHandle first = pool.spares().get(0);
		pool.signalMaster("TTIN");
		assertThat(pool.current(2)).isSameAs(first);
		pool.settle();
		WorkerHandle second = pool.spares().get(0);
		WorkerHandle old = pool.current(1);
		assertThat(pool.command(Message.Command.Action.RESTART, null, 1).accepted()).isTrue();
		assertThat(pool.current(1)).isSameAs(second);
		assertThat(pool.sentTo(old)).contains(new Message.Stop("restart"));
		pool.settle();
		assertThat(pool.status().master().operation().state()).isEqualTo(PoolStatus.Operation.State.DONE);
		pool.assertWhole(2);
	}

	@Test
	void bootingSpareTakesTheSlotAndServesOnceReady() {
		FakePool pool = pool(1, 1);
		pool.ready(pool.launched.get(0));
		WorkerHandle spare = pool.spares().get(0);
		assertThat(spare.state()).isEqualTo(WorkerState.STARTING);
		pool.crash(pool.current(1));
		assertThat(pool.incoming(1)).isSameAs(spare);
		assertThat(told(pool, spare, new Message.TakeSlot(1))).isTrue();
		assertThat(pool.launched).as("neither a worker nor a spare beside the booting spare").hasSize(2);
		pool.ready(spare);
		assertThat(pool.current(1)).isSameAs(spare);
		pool.settle();
		pool.assertWhole(1);
	}

	@Test
	void reloadStopsTheOldSparesAndNeverPromotesThem() {
		FakePool pool = ready(2, 1);
		WorkerHandle stale = pool.spares().get(0);
		WorkerHandle one = pool.current(1);
		pool.signalMaster("HUP");
		assertThat(pool.sentTo(stale)).contains(new Message.Stop("reload: a spare of the old build"));
		// A crash during the reload is not served by the stale spare.
		pool.crash(one);
		assertThat(pool.allSentTo(stale)).noneMatch((message) -> message instanceof Message.TakeSlot);
		pool.settle();
		assertThat(pool.status().master().operation().state()).isEqualTo(PoolStatus.Operation.State.DONE);
		pool.assertWhole(2);
		assertThat(pool.spares().get(0).generation()).isGreaterThan(stale.generation());
	}

	@Test
	void spareTakenDuringAReloadIsNewEnough() {
		FakePool pool = ready(2, 1);
		pool.signalMaster("HUP");
		// Worker 1's replacement boots; once the reload is through, a fresh spare boots.
		pool.settle();
		WorkerHandle fresh = pool.spares().get(0);
		pool.signalMaster("HUP");
		pool.settle();
		pool.assertWhole(2);
		assertThat(fresh.state()).as("a spare of the previous build is gone").isEqualTo(WorkerState.EXITED);
	}

	@Test
	void failingSparesBackOffThenGiveUpUntilTheNextReload() {
		FakePool pool = ready(1, 1);
		int maxBootFailures = pool.properties.getRestart().getMaxBootFailures();
		for (int i = 0; i < maxBootFailures; i++) {
			WorkerHandle spare = pool.spares().get(0);
			pool.exit(spare, new Exit(1, 0));
			pool.advance(pool.properties.getRestart().getMaxBackoff());
		}
		assertThat(pool.spares()).isEmpty();
		assertThat(pool.status().master().sparesGaveUpReason()).contains("spare failures in a row");
		assertThat(pool.arbiter.exitCode()).as("the pool serves on").isNull();
		// A crash is replaced the plain way.
		pool.crash(pool.current(1));
		pool.settle();
		assertThat(pool.current(1)).isNotNull();
		pool.signalMaster("HUP");
		pool.settle();
		assertThat(pool.spares()).hasSize(1);
		pool.assertWhole(1);
	}

	@Test
	void hungSpareIsReplaced() {
		FakePool pool = ready(1, 1);
		WorkerHandle spare = pool.spares().get(0);
		pool.silent.add(spare);
		pool.advance(pool.properties.getHeartbeat().getTimeout().plusSeconds(2));
		assertThat(pool.signals).contains(spare.pid() + " QUIT");
		assertThat(spare.isLeaving()).isTrue();
		pool.advance(PosixSignal.DUMP_WAIT.plusSeconds(1));
		assertThat(pool.signals).contains(spare.pid() + " TERM");
		pool.exit(spare, new Exit(143, 0));
		pool.settle();
		pool.assertWhole(1);
		assertThat(pool.spares().get(0)).isNotSameAs(spare);
	}

	@Test
	void spareStuckBootingIsKilledByTheBootTimeout() {
		FakePool pool = pool(1, 1);
		pool.ready(pool.launched.get(0));
		WorkerHandle spare = pool.spares().get(0);
		pool.advance(pool.properties.getWorker().getBootTimeout().plusSeconds(1));
		assertThat(pool.signals).contains(spare.pid() + " KILL");
		pool.exit(spare, KILLED);
		pool.advance(pool.properties.getRestart().getMaxBackoff());
		pool.settle();
		pool.assertWhole(1);
	}

	@Test
	void spareStillBootingAtHalfTheBootTimeoutIsRaisedOnceThenKilledAtTheTimeout() {
		FakePool pool = pool(1, 1);
		pool.ready(pool.launched.get(0));
		WorkerHandle spare = pool.spares().get(0);
		Duration half = pool.properties.getWorker().getBootTimeout().dividedBy(2);
		pool.advance(half.minusSeconds(1));
		assertThat(pool.priorities).isEmpty();
		pool.advance(Duration.ofSeconds(2));
		assertThat(pool.priorities).containsExactly(spare.pid() + " booting-late");
		assertThat(pool.signals).doesNotContain(spare.pid() + " KILL");
		pool.advance(half);
		assertThat(pool.priorities).containsExactly(spare.pid() + " booting-late");
		assertThat(pool.signals).contains(spare.pid() + " KILL");
	}

	@Test
	void slowBootingWorkerInASlotIsNeverRaised() {
		FakePool pool = pool(1, 1);
		WorkerHandle worker = pool.launched.get(0);
		pool.advance(pool.properties.getWorker().getBootTimeout().minusSeconds(1));
		assertThat(worker.isSpare()).isFalse();
		assertThat(pool.priorities).isEmpty();
	}

	@Test
	void bootingSpareThatTakesASlotIsRaisedThenAndNotAgainWhenLate() {
		FakePool pool = ready(1, 1);
		WorkerHandle first = pool.current(1);
		pool.exit(first, KILLED);
		pool.settle();
		WorkerHandle promoted = pool.current(1);
		assertThat(pool.priorities).containsExactly(promoted.pid() + " took-slot");
		WorkerHandle booting = pool.spares().get(0);
		pool.exit(promoted, KILLED);
		pool.advance(Duration.ofMillis(100));
		assertThat(pool.priorities).containsExactly(promoted.pid() + " took-slot", booting.pid() + " took-slot");
		pool.advance(pool.properties.getWorker().getBootTimeout().dividedBy(2).plusSeconds(1));
		assertThat(pool.priorities).doesNotContain(booting.pid() + " booting-late");
	}

	@Test
	void shutdownStopsTheSparesToo() {
		FakePool pool = ready(1, 2);
		pool.signalMaster("TERM");
		assertThat(pool.alive.values())
			.allMatch((worker) -> pool.sentTo(worker).contains(new Message.Stop("shutdown")));
		pool.settle();
		pool.advance(Duration.ofMillis(200));
		assertThat(pool.arbiter.exitCode()).isEqualTo(ExitCodes.OK);
	}

}
