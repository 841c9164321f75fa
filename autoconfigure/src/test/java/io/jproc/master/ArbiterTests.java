package io.jproc.master;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.jproc.ExitCodes;
import io.jproc.JprocProperties;
import io.jproc.PoolState;
import io.jproc.SlotState;
import io.jproc.ipc.Envelope;
import io.jproc.ipc.Message;
import io.jproc.ipc.PoolStatus;
import io.jproc.master.pool.MasterState;
import io.jproc.master.process.Exit;
import io.jproc.master.process.MasterEvent;
import io.jproc.master.process.PosixSignal;
import io.jproc.master.process.WorkerHandle;
import io.jproc.master.process.WorkerState;
import io.jproc.testsupport.RecordingChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link Arbiter}: the real loop, slots, retirements and operations, driven
 * event by event with a fake clock and fake processes ({@link FakePool}). Each
 * interleaving of two flows on one slot ends with the pool whole: one ready worker per
 * slot and no process that no slot references.
 */
class ArbiterTests {

	private static final Exit KILLED = new Exit(-1, 9);

	/** A line of the default Logback console output: its thread, level and message. */
	private static final Pattern LOG_LINE = Pattern.compile("\\S+ \\[([^]]+)\\] (\\w+)\\s+\\S+ -- (.*)");

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void startsOneWorkerPerSlotAndLogsNothingElse(CapturedOutput output) {
		FakePool pool = new FakePool(3);
		assertThat(pool.launched).extracting(WorkerHandle::id).containsExactly(1, 2, 3);
		pool.settle();
		pool.assertWhole(3);
		List<String> logged = output.getOut()
			.lines()
			.map(LOG_LINE::matcher)
			.filter(Matcher::matches)
			.filter((line) -> line.group(1).equals(Thread.currentThread().getName()) && !line.group(2).equals("DEBUG"))
			.map((line) -> line.group(3))
			.toList();
		assertThat(logged).containsExactlyInAnyOrder("worker 1 (pid 1000) started", "worker 2 (pid 1001) started",
				"worker 3 (pid 1002) started", "worker 1 (pid 1000) ready in 0.0 s",
				"worker 2 (pid 1001) ready in 0.0 s", "worker 3 (pid 1002) ready in 0.0 s",
				"worker 1 (pid 1000) leads the pool, epoch 1", "all 3 workers ready, 0.0 s after master start");
	}

	@Test
	void stepWhenTheTickThrowsAnErrorShouldSurviveAndTheNextTickStartsTheWorker() {
		FakePool pool = new FakePool(1);
		pool.settle();
		pool.launchThrows = new StackOverflowError("test");
		pool.crash(pool.current(1));
		assertThat(pool.arbiter.exitCode()).isNull();
		pool.launchThrows = null;
		pool.advance(Duration.ofSeconds(1));
		pool.settle();
		pool.assertWhole(1);
	}

	@Test
	void stepWhenAnErrorIsFatalShouldEndTheMasterWithItsExitCode() {
		FakePool pool = new FakePool(1);
		pool.settle();
		pool.launchThrows = new OutOfMemoryError("test");
		pool.crash(pool.current(1));
		assertThat(pool.arbiter.exitCode()).isEqualTo(ExitCodes.MASTER_FAILED);
	}

	@Test
	void stepWhenEveryTickFailsShouldEndTheMasterAfterTheLimit() {
		FakePool pool = new FakePool(1);
		pool.settle();
		pool.launchThrows = new NoClassDefFoundError("test");
		pool.crash(pool.current(1));
		for (int i = 1; i < Arbiter.MAX_FAILED_TICKS - 1; i++) {
			pool.arbiter.step(null);
		}
		assertThat(pool.arbiter.exitCode()).as("after %d failed ticks", Arbiter.MAX_FAILED_TICKS - 1).isNull();
		pool.arbiter.step(null);
		assertThat(pool.arbiter.exitCode()).isEqualTo(ExitCodes.MASTER_FAILED);
	}

	@Test
	void floodOfCommandsIsRefusedPastTheQueueAndTheExitBehindItIsHandledFirst() throws InterruptedException {
		FakePool pool = new FakePool(2);
		pool.settle();
		WorkerHandle asker = pool.current(1);
		WorkerHandle crashed = pool.current(2);
		for (int i = 1; i <= 5000; i++) {
			pool.sink.accept(new MasterEvent.Received(asker,
					new Envelope(i, 0, new Message.Command(Message.Command.Action.RELOAD, null, null))));
		}
		pool.alive.remove(crashed.pid());
		pool.sink.accept(new MasterEvent.Exited(crashed, KILLED));
		assertThat(pool.queue.size()).isLessThanOrEqualTo(LoopQueue.DEFAULT_CAPACITY + 1);
		assertThat(((RecordingChannel) asker.channel()).replies).hasSize(5000 - LoopQueue.DEFAULT_PER_WORKER)
			.allMatch((reply) -> reply instanceof Message.Failure failure
					&& failure.message().startsWith("the master is busy"));
		pool.arbiter.step(pool.queue.poll(0, TimeUnit.MILLISECONDS));
		assertThat(crashed.state()).as("the exit is the first event the loop takes").isEqualTo(WorkerState.EXITED);
		assertThat(pool.launchedFor(2)).hasSize(2);
	}

	@Test
	void leaderKilledWhileTheOtherWorkerIsStoppedGoesToItsReplacementNotTheStoppedWorker() {
		FakePool pool = new FakePool(2);
		pool.settle();
		WorkerHandle leader = pool.current(1);
		WorkerHandle stopped = pool.current(2);
		assertThat(pool.mayLead(leader)).isTrue();
		pool.silent.add(stopped);
		pool.advance(Duration.ofSeconds(12));
		pool.crash(leader);
		pool.settle();
		pool.advance(Duration.ofSeconds(1));
		assertThat(pool.allSentTo(stopped)).noneMatch(Message.Grant.class::isInstance);
		assertThat(pool.mayLead(pool.current(1))).as("the replacement leads").isTrue();
	}

	@Test
	void crashedWorkerIsReplacedAtOnceThenWithBackoff() {
		FakePool pool = new FakePool(1);
		pool.settle();
		pool.advance(Duration.ofMinutes(1));
		pool.crash(pool.current(1));
		assertThat(pool.launched).hasSize(2);
		assertThat(pool.slot(1).restartsByReason()).containsEntry("crash", 1);
		// The second worker dies young: the third waits out the initial backoff.
		pool.ready(pool.last());
		pool.crash(pool.current(1));
		assertThat(pool.launched).hasSize(3);
		pool.ready(pool.last());
		pool.advance(Duration.ofMillis(100));
		pool.crash(pool.current(1));
		assertThat(pool.launched).hasSize(3);
		assertThat(pool.status().slots().get(0).state()).isEqualTo(SlotState.BACKOFF);
		pool.advance(pool.properties.getRestart().getInitialBackoff());
		assertThat(pool.launched).hasSize(4);
		pool.settle();
		pool.assertWhole(1);
	}

	@Test
	void slotThatCannotBootIsGivenUpAndTheMasterExitsWithFour() {
		FakePool pool = new FakePool(1);
		for (int i = 0; i < 3; i++) {
			pool.exit(pool.last(), new Exit(1, 0));
			pool.advance(pool.properties.getRestart().getMaxBackoff());
		}
		assertThat(pool.launched).hasSize(3);
		assertThat(pool.slot(1).gaveUp()).isTrue();
		assertThat(pool.arbiter.state()).isEqualTo(MasterState.SHUTTING_DOWN);
		pool.advance(Duration.ofMillis(200));
		assertThat(pool.arbiter.exitCode()).isEqualTo(ExitCodes.GAVE_UP);
	}

	@Test
	void aWorkerFailingToBootFromTheBootCacheDoesNotCountAndTheNextStartsFromTheJarAtOnce() {
		JprocProperties properties = new JprocProperties();
		properties.getRestart().setMaxBootFailures(1);
		FakePool pool = new FakePool(2, properties);
		pool.ready(pool.launched.get(0));
		pool.ready(pool.launched.get(1));
		pool.advance(Duration.ofMinutes(1));
		pool.bootCacheReady = true;
		pool.crash(pool.current(2));
		WorkerHandle fromCache = pool.last();
		assertThat(pool.fromBootCache).containsExactly(fromCache);
		pool.exit(fromCache, new Exit(1, 0));
		// Not counted (one boot failure gives a slot up here), no backoff: from the jar
		// at once.
		assertThat(pool.slot(2).gaveUp()).isFalse();
		assertThat(pool.arbiter.exitCode()).isNull();
		assertThat(pool.launched).hasSize(4);
		assertThat(pool.fromBootCache).doesNotContain(pool.last());
		pool.ready(pool.last());
		pool.settle();
		pool.assertWhole(2);
	}

	@Test
	void aReloadGoesOnWhenAWorkerFailsToBootFromTheBootCache() {
		FakePool pool = new FakePool(2);
		pool.settle();
		pool.bootCacheReady = true;
		pool.signalMaster("HUP");
		WorkerHandle fromCache = pool.incoming(1);
		assertThat(pool.fromBootCache).containsExactly(fromCache);
		pool.exit(fromCache, new Exit(1, 0));
		assertThat(pool.status().master().operation().state()).isEqualTo(PoolStatus.Operation.State.RUNNING);
		assertThat(pool.incoming(1)).as("from the jar, at once").isNotSameAs(fromCache);
		assertThat(pool.fromBootCache).doesNotContain(pool.incoming(1));
		pool.settle();
		pool.advance(Duration.ofMillis(200));
		pool.assertWhole(2);
		assertThat(pool.status().master().operation().state()).isEqualTo(PoolStatus.Operation.State.DONE);
		assertThat(pool.status().master().operation().replaced()).isEqualTo(2);
	}

	@Test
	void oneSlotGivenUpKeepsTheOthersServing() {
		FakePool pool = new FakePool(2);
		pool.ready(pool.launched.get(0));
		for (int i = 0; i < 3; i++) {
			pool.exit(pool.launchedFor(2).get(i), new Exit(1, 0));
			pool.advance(pool.properties.getRestart().getMaxBackoff());
		}
		assertThat(pool.slot(2).gaveUp()).isTrue();
		assertThat(pool.arbiter.exitCode()).isNull();
		assertThat(pool.status().master().state()).isEqualTo(PoolState.GIVING_UP);
		// An operator's restart revives it.
		assertThat(pool.command(Message.Command.Action.RESTART, null, 2).accepted()).isTrue();
		pool.advance(Duration.ofMillis(200));
		pool.settle();
		pool.assertWhole(2);
	}

	@Test
	void spawnThatFailsIsRetriedAfterTheInitialBackoff() {
		FakePool pool = new FakePool(1);
		pool.settle();
		pool.failLaunches = true;
		pool.crash(pool.current(1));
		assertThat(pool.launched).hasSize(1);
		pool.failLaunches = false;
		pool.advance(pool.properties.getRestart().getInitialBackoff().plusMillis(1));
		assertThat(pool.launched).hasSize(2);
		pool.settle();
		pool.assertWhole(1);
	}

	@Test
	void shutdownStopsEveryWorkerAndExitsZeroWhenTheyHaveGone() {
		FakePool pool = new FakePool(2);
		pool.settle();
		pool.signalMaster("TERM");
		assertThat(pool.alive.values())
			.allMatch((worker) -> pool.sentTo(worker).contains(new Message.Stop("shutdown")));
		pool.settle();
		pool.advance(Duration.ofMillis(200));
		assertThat(pool.arbiter.exitCode()).isEqualTo(ExitCodes.OK);
		assertThat(pool.launched).hasSize(2);
	}

	@Test
	void shutdownKillsWorkersStillThereAfterTheDeadline() {
		FakePool pool = new FakePool(1);
		pool.settle();
		WorkerHandle stuck = pool.current(1);
		pool.signalMaster("TERM");
		pool.advance(pool.properties.getShutdownTimeout().minusSeconds(1));
		assertThat(pool.signals).doesNotContain(stuck.pid() + " KILL");
		pool.advance(Duration.ofSeconds(2));
		assertThat(pool.signals).contains(stuck.pid() + " KILL");
		assertThat(pool.arbiter.exitCode()).isNull();
		// Even a worker that survives SIGKILL does not keep the master forever.
		pool.advance(PosixSignal.KILL_GRACE.plusSeconds(1));
		assertThat(pool.arbiter.exitCode()).isEqualTo(ExitCodes.OK);
	}

	@Test
	void theKillGraceRunsFromWhenTheKillsWentOutEvenWhenTheLoopRanLate() {
		FakePool pool = new FakePool(2);
		pool.settle();
		pool.signalMaster("TERM");
		pool.advance(pool.properties.getShutdownTimeout().minusSeconds(1));
		// The loop stalls 10 s while it kills (the shutdown's tick then holds an old
		// time).
		pool.killTakes = Duration.ofSeconds(10);
		pool.advance(Duration.ofSeconds(2));
		assertThat(pool.signals).filteredOn((signal) -> signal.endsWith(" KILL")).hasSize(2);
		pool.killTakes = Duration.ZERO;
		pool.advance(Duration.ofMillis(500));
		assertThat(pool.arbiter.exitCode()).as("killed workers get the whole grace to go").isNull();
		pool.advance(PosixSignal.KILL_GRACE);
		assertThat(pool.arbiter.exitCode()).isEqualTo(ExitCodes.OK);
	}

	@Test
	void secondSigintKillsEveryWorkerAndExits130() {
		FakePool pool = new FakePool(2);
		pool.settle();
		pool.signalMaster("INT");
		assertThat(pool.arbiter.exitCode()).isNull();
		pool.signalMaster("INT");
		assertThat(pool.signals).contains("1000 KILL", "1001 KILL");
		assertThat(pool.arbiter.exitCode()).isEqualTo(ExitCodes.INTERRUPTED);
	}

	@Test
	void reloadReplacesOneAtATimeAndDrainsTheOldOnlyOnceTheNewIsReady() {
		FakePool pool = new FakePool(2);
		pool.settle();
		WorkerHandle old1 = pool.current(1);
		pool.signalMaster("HUP");
		assertThat(pool.launched).hasSize(3);
		assertThat(pool.sentTo(old1)).isEmpty();
		assertThat(pool.status().slots().get(0).incoming().reason()).isEqualTo("reload");
		pool.ready(pool.last());
		assertThat(pool.sentTo(old1)).containsExactly(new Message.Stop("reload"));
		assertThat(pool.launched).hasSize(4);
		pool.settle();
		pool.advance(Duration.ofMillis(200));
		pool.assertWhole(2);
		assertThat(pool.status().master().operation().state()).isEqualTo(PoolStatus.Operation.State.DONE);
		assertThat(pool.status().master().operation().replaced()).isEqualTo(2);
	}

	/** The bug that started it all: three processes, two listed. */
	@Test
	void reloadAndCrashOfTheOldWorkerWhileItsReplacementBoots() {
		FakePool pool = new FakePool(2);
		pool.settle();
		pool.signalMaster("HUP");
		WorkerHandle incoming = pool.incoming(1);
		pool.crash(pool.current(1));
		pool.assertConsistent();
		assertThat(pool.launched).as("no second replacement for slot 1").hasSize(3);
		assertThat(pool.incoming(1)).isSameAs(incoming);
		pool.settle();
		pool.advance(Duration.ofMillis(200));
		pool.assertWhole(2);
		assertThat(pool.status().master().operation().state()).isEqualTo(PoolStatus.Operation.State.DONE);
	}

	@Test
	void reloadAndCrashOfTheIncomingWorkerStopsTheReloadAndTheOldKeepServing() {
		FakePool pool = new FakePool(2);
		pool.settle();
		WorkerHandle old1 = pool.current(1);
		pool.signalMaster("HUP");
		pool.exit(pool.incoming(1), new Exit(1, 0));
		assertThat(pool.status().master().operation().state()).isEqualTo(PoolStatus.Operation.State.FAILED);
		assertThat(pool.current(1)).isSameAs(old1);
		pool.advance(Duration.ofSeconds(30));
		assertThat(pool.launched).hasSize(3);
		pool.assertWhole(2);
	}

	@Test
	void reloadWhoseNewWorkerIsNotReadyInTimeStopsAndKillsIt() {
		FakePool pool = new FakePool(1);
		pool.settle();
		pool.signalMaster("HUP");
		WorkerHandle incoming = pool.incoming(1);
		pool.advance(pool.properties.getReload().getReadyTimeout().plusSeconds(1));
		assertThat(pool.signals).contains(incoming.pid() + " KILL");
		assertThat(pool.status().master().operation().state()).isEqualTo(PoolStatus.Operation.State.FAILED);
		pool.settle();
		pool.assertWhole(1);
		assertThat(pool.launched).hasSize(2);
	}

	@Test
	void reloadAndUrgentRetirementInTheSameSlotShareOneReplacement() {
		FakePool pool = new FakePool(2);
		pool.settle();
		pool.signalMaster("HUP");
		WorkerHandle old1 = pool.current(1);
		pool.retire(old1, true);
		assertThat(old1.state()).isEqualTo(WorkerState.DRAINING);
		assertThat(pool.launched).hasSize(3);
		pool.settle();
		pool.advance(Duration.ofMillis(200));
		pool.assertWhole(2);
		assertThat(pool.launched).hasSize(4);
	}

	@Test
	void urgentRetirementThenReloadReusesTheRetirementsReplacement() {
		FakePool pool = new FakePool(1);
		pool.settle();
		pool.retire(pool.current(1), true);
		assertThat(pool.launched).hasSize(2);
		pool.signalMaster("HUP");
		// No serving worker to reload: refused, nothing started.
		assertThat(pool.launched).hasSize(2);
		pool.settle();
		pool.assertWhole(1);
	}

	@Test
	void reloadAndPlannedRetirementInTheSameSlotShareOneReplacement() {
		FakePool pool = new FakePool(2);
		pool.settle();
		WorkerHandle old1 = pool.current(1);
		pool.signalMaster("HUP");
		pool.retire(old1, false);
		pool.advance(Duration.ofMillis(200));
		assertThat(old1.state()).isEqualTo(WorkerState.RETIRING);
		assertThat(pool.launched).hasSize(3);
		pool.ready(pool.incoming(1));
		assertThat(pool.sentTo(old1)).hasSize(1);
		pool.settle();
		pool.advance(Duration.ofMillis(200));
		pool.assertWhole(2);
		assertThat(pool.launched).hasSize(4);
	}

	@Test
	void plannedRetirementBeforeAReloadIsReplacedAgainByTheReload() {
		FakePool pool = new FakePool(1);
		pool.settle();
		pool.retire(pool.current(1), false);
		pool.advance(Duration.ofMillis(200));
		WorkerHandle retirementReplacement = pool.incoming(1);
		assertThat(retirementReplacement).isNotNull();
		pool.signalMaster("HUP");
		pool.ready(retirementReplacement);
		pool.advance(Duration.ofMillis(200));
		// The replacement predates the reload: the reload replaces it too.
		assertThat(pool.incoming(1)).isNotNull().isNotSameAs(retirementReplacement);
		pool.settle();
		pool.advance(Duration.ofMillis(200));
		pool.assertWhole(1);
		assertThat(pool.launched).hasSize(3);
	}

	@Test
	void plannedRetirementAndScaleDownOfItsSlot() {
		FakePool pool = new FakePool(2);
		pool.settle();
		WorkerHandle old2 = pool.current(2);
		pool.retire(old2, false);
		pool.advance(Duration.ofMillis(200));
		WorkerHandle replacement = pool.incoming(2);
		pool.signalMaster("TTOU");
		assertThat(pool.sentTo(old2)).contains(new Message.Stop("scale down to 1"));
		assertThat(pool.sentTo(replacement)).contains(new Message.Stop("scale down to 1"));
		pool.settle();
		pool.advance(Duration.ofMillis(200));
		pool.assertWhole(1);
		assertThat(pool.launched).hasSize(3);
	}

	@Test
	void restartOfOneWorkerWhileAReloadRunsIsRefused() {
		FakePool pool = new FakePool(2);
		pool.settle();
		pool.signalMaster("HUP");
		Message.CommandResult result = pool.command(Message.Command.Action.RESTART, null, 2);
		assertThat(result.accepted()).isFalse();
		assertThat(result.refusal()).isEqualTo(Message.CommandResult.Refusal.CONFLICT);
		assertThat(pool.launched).hasSize(3);
		pool.settle();
		pool.advance(Duration.ofMillis(200));
		pool.assertWhole(2);
	}

	@Test
	void restartReplacesOnlyThatWorker() {
		FakePool pool = new FakePool(2);
		pool.settle();
		WorkerHandle two = pool.current(2);
		assertThat(pool.command(Message.Command.Action.RESTART, null, 1).accepted()).isTrue();
		pool.settle();
		pool.advance(Duration.ofMillis(200));
		pool.assertWhole(2);
		assertThat(pool.current(2)).isSameAs(two);
		assertThat(pool.slot(1).restartsByReason()).containsEntry("restart", 1);
	}

	@Test
	void hungWorkerDuringAReload() {
		JprocProperties properties = new JprocProperties();
		FakePool pool = new FakePool(2, properties);
		pool.settle();
		pool.signalMaster("HUP");
		WorkerHandle old2 = pool.current(2);
		pool.silent.add(old2);
		pool.advance(properties.getHeartbeat().getTimeout().plusSeconds(1));
		// Slot 2 was not yet in the reload: the hang starts its replacement.
		assertThat(pool.signals).contains(old2.pid() + " QUIT", old2.pid() + " CONT");
		pool.assertConsistent();
		pool.advance(PosixSignal.DUMP_WAIT.plusMillis(1));
		assertThat(pool.signals).contains(old2.pid() + " TERM");
		pool.settle();
		pool.advance(Duration.ofMillis(200));
		pool.settle();
		pool.assertWhole(2);
	}

	@Test
	void workerThatDoesNotReadItsChannelIsReplacedAsHungThoughItSendsHeartbeats() {
		FakePool pool = new FakePool(2);
		pool.settle();
		WorkerHandle deaf = pool.current(2);
		pool.advance(Duration.ofMillis(200));
		assertThat(pool.signals).doesNotContain(deaf.pid() + " QUIT");
		((RecordingChannel) deaf.channel()).stalled = Duration.ofSeconds(31);
		pool.advance(Duration.ofMillis(200));
		assertThat(deaf.leaveReason()).startsWith("hung: its channel not read for 31.0 s");
		assertThat(pool.signals).contains(deaf.pid() + " QUIT", deaf.pid() + " CONT");
		pool.advance(PosixSignal.DUMP_WAIT.plusMillis(1));
		assertThat(pool.signals).contains(deaf.pid() + " TERM");
		pool.settle();
		pool.advance(Duration.ofMillis(200));
		pool.settle();
		pool.assertWhole(2);
		assertThat(pool.current(2)).isNotSameAs(deaf);
	}

	@Test
	void scaleUpAndDownDuringAReloadAreRefusedAndTheReloadGoesOn() {
		FakePool pool = new FakePool(2);
		pool.settle();
		pool.signalMaster("HUP");
		pool.signalMaster("TTIN");
		assertThat(pool.arbiter.pool().slots()).hasSize(2);
		pool.signalMaster("TTOU");
		pool.assertConsistent();
		pool.settle();
		pool.advance(Duration.ofMillis(200));
		pool.settle();
		pool.assertWhole(2);
		assertThat(pool.status().master().operation().state()).isEqualTo(PoolStatus.Operation.State.DONE);
	}

	@Test
	void scaleDownOfASlotWhoseWorkerIsStillBooting() {
		FakePool pool = new FakePool(1);
		pool.settle();
		pool.signalMaster("TTIN");
		WorkerHandle booting = pool.incoming(2);
		pool.signalMaster("TTOU");
		assertThat(pool.sentTo(booting)).contains(new Message.Stop("scale down to 1"));
		// It becomes ready after all: it is not promoted, and leaves.
		pool.ready(booting);
		assertThat(pool.arbiter.pool().slots()).hasSize(1);
		pool.settle();
		pool.assertWhole(1);
	}

	@Test
	void shutdownDuringAReloadAndARetirement() {
		FakePool pool = new FakePool(2);
		pool.settle();
		pool.retire(pool.current(2), false);
		pool.signalMaster("HUP");
		pool.advance(Duration.ofMillis(200));
		int launched = pool.launched.size();
		pool.signalMaster("TERM");
		assertThat(pool.status().master().operation().state()).isEqualTo(PoolStatus.Operation.State.FAILED);
		pool.settle();
		pool.advance(Duration.ofMillis(200));
		assertThat(pool.launched).hasSize(launched);
		assertThat(pool.alive).isEmpty();
		assertThat(pool.arbiter.exitCode()).isEqualTo(ExitCodes.OK);
	}

	@Test
	void crashDuringShutdownStartsNothing() {
		FakePool pool = new FakePool(2);
		pool.settle();
		pool.signalMaster("TERM");
		pool.crash(pool.launched.get(0));
		assertThat(pool.launched).hasSize(2);
	}

	@Test
	void workerNoSlotReferencesIsDrained() {
		FakePool pool = new FakePool(1);
		pool.settle();
		WorkerHandle stray = new WorkerHandle(7, 4242, 99, FakePool.START, new RecordingChannel());
		pool.arbiter.pool().live().add(stray);
		pool.advance(Duration.ofMillis(200));
		assertThat(pool.sentTo(stray)).containsExactly(new Message.Stop("not part of the pool"));
	}

	/**
	 * Random pool events in random order, checked after each, then the pool must settle
	 * whole. The process-level twin is the sample app's ChaosIT.
	 */
	@ParameterizedTest
	@ValueSource(longs = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 })
	void randomInterleavingsLeaveTheWholePool(long seed) {
		for (long run = seed; run < seed + 50 * 20; run += 20) {
			randomRun(new Random(run), run);
		}
	}

	private void randomRun(Random random, long seed) {
		JprocProperties properties = new JprocProperties();
		properties.getRestart().setMaxRestarts(1000);
		properties.getRestart().setMaxBootFailures(1000);
		properties.setSpareWorkers(random.nextInt(3));
		int maxBooting = 1 + random.nextInt(3);
		properties.getWorker().setMaxBooting(maxBooting);
		FakePool pool = new FakePool(1 + random.nextInt(3), properties);
		int wanted = pool.arbiter.pool().slots().size();
		for (int i = 0; i < 40; i++) {
			List<WorkerHandle> alive = List.copyOf(pool.alive.values());
			WorkerHandle someone = alive.isEmpty() ? null : alive.get(random.nextInt(alive.size()));
			switch (random.nextInt(11)) {
				case 10 -> {
					if (someone != null) {
						pool.ackRevokes(someone);
					}
				}
				case 0 -> pool.signalMaster("HUP");
				case 1 -> {
					if (wanted < 4) {
						pool.signalMaster("TTIN");
					}
				}
				case 2 -> pool.signalMaster("TTOU");
				case 3 -> {
					if (someone != null) {
						pool.crash(someone);
					}
				}
				case 4 -> {
					if (someone != null && someone.state() != WorkerState.EXITED) {
						pool.retire(someone, random.nextBoolean());
					}
				}
				case 5 -> {
					if (someone != null && someone.state() == WorkerState.STARTING) {
						pool.ready(someone);
					}
				}
				case 6 -> {
					if (someone != null && pool.exitOf(someone) != null) {
						pool.exit(someone, pool.exitOf(someone));
					}
				}
				case 7 -> {
					if (pool.arbiter.pool().slots().stream().anyMatch((slot) -> slot.current() != null)) {
						pool.command(Message.Command.Action.RESTART, null, 1 + random.nextInt(wanted));
					}
				}
				case 8 -> {
					if (someone != null && random.nextInt(4) == 0) {
						pool.silent.add(someone);
					}
					pool.advance(Duration.ofSeconds(random.nextInt(20)));
				}
				default -> pool.advance(Duration.ofMillis(200));
			}
			wanted = pool.arbiter.pool().slots().size();
			pool.assertConsistent();
			assertThat(pool.arbiter.pool().booting()).as("JVMs booting at once: %s", pool.describe())
				.isLessThanOrEqualTo(maxBooting);
		}
		for (int round = 0; round < 40; round++) {
			pool.settle();
			for (WorkerHandle worker : List.copyOf(pool.alive.values())) {
				pool.heartbeat(worker);
			}
			pool.advance(Duration.ofSeconds(1));
		}
		pool.settle();
		pool.assertWhole(wanted);
		for (WorkerHandle worker : List.copyOf(pool.alive.values())) {
			pool.ackRevokes(worker);
		}
		pool.advance(Duration.ofSeconds(1));
		assertThat(pool.alive.values().stream().filter(pool::mayLead).count()).as("one leader once settled")
			.isEqualTo(1);
	}

}
