package io.jproc.master;

import java.util.List;

import io.jproc.ipc.Message;
import io.jproc.ipc.Message.LogLevelChange;
import io.jproc.master.process.WorkerHandle;
import org.junit.jupiter.api.Test;

import org.springframework.boot.logging.LogLevel;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the log levels set pool-wide ({@link LogLevelChange}): the master's relay
 * passes them to the other workers and keeps them for the workers that start later,
 * without reading any application payload. Driven through the real loop with
 * {@link FakePool}.
 */
class PoolLogLevelsTests {

	private static final LogLevelChange DEBUG = new LogLevelChange("com.example", LogLevel.DEBUG);

	@Test
	void levelSetInOneWorkerReachesEveryOtherServingWorker() {
		FakePool pool = new FakePool(3);
		pool.settle();
		pool.send(pool.current(1), DEBUG);
		assertThat(logLevelsSentTo(pool, pool.current(1))).isEmpty();
		assertThat(logLevelsSentTo(pool, pool.current(2))).containsExactly(DEBUG);
		assertThat(logLevelsSentTo(pool, pool.current(3))).containsExactly(DEBUG);
	}

	@Test
	void workerThatStartsLaterGetsTheLevelsKeptButNotTheResets() {
		FakePool pool = new FakePool(2);
		pool.settle();
		LogLevelChange trace = new LogLevelChange("org.other", LogLevel.TRACE);
		LogLevelChange resetTrace = new LogLevelChange("org.other", null);
		pool.send(pool.current(1), DEBUG);
		pool.send(pool.current(2), trace);
		pool.send(pool.current(1), resetTrace);
		assertThat(logLevelsSentTo(pool, pool.current(2))).containsExactly(DEBUG, resetTrace);
		assertThat(pool.command(Message.Command.Action.SCALE, 3, null).accepted()).isTrue();
		WorkerHandle booting = pool.last();
		assertThat(booting.id()).isEqualTo(3);
		assertThat(logLevelsSentTo(pool, booting)).as("not before it serves").isEmpty();
		pool.ready(booting);
		assertThat(logLevelsSentTo(pool, booting)).containsExactly(DEBUG);
	}

	private static List<LogLevelChange> logLevelsSentTo(FakePool pool, WorkerHandle worker) {
		return pool.allSentTo(worker)
			.stream()
			.filter(LogLevelChange.class::isInstance)
			.map(LogLevelChange.class::cast)
			.toList();
	}

}
