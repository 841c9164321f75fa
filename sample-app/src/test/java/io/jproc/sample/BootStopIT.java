package io.jproc.sample;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import io.jproc.sample.support.MasterProcess;
import io.jproc.sample.support.Signals;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker asked to leave in the middle of its boot, or whose master dies then, leaves at
 * once instead of after its boot: one bean of the sample app takes two minutes to make
 * ({@code sample.slow-boot}), longer than the master's shutdown deadline.
 */
class BootStopIT {

	private static final Pattern SLOW_BEAN = Pattern.compile("sample: this bean takes \\d+ ms to make");

	@Test
	void aPoolStoppedWhileItsWorkerBootsExitsWithoutWaitingForTheBoot() throws Exception {
		try (MasterProcess master = startBooting("boot-stop-sigterm")) {
			List<Long> workers = master.awaitWorkerCount(1, Duration.ofSeconds(5));
			long stopped = System.nanoTime();
			master.signal("TERM");
			assertThat(master.awaitExit(Duration.ofSeconds(60))).as("the master's exit code").isZero();
			Duration took = Duration.ofNanos(System.nanoTime() - stopped);
			// Before, the worker read the master's Stop only once its beans were made,
			// and
			// the master killed it at its shutdown deadline (38 s here).
			assertThat(took).as("from SIGTERM to the master's exit").isLessThan(Duration.ofSeconds(25));
			assertThat(workers).as("workers alive after the master's exit").noneMatch(BootStopIT::alive);
			assertThat(master.log()).contains("worker 1 leaving before it was ready (asked by the master")
				.contains("worker 1 is still booting 10000 ms after it began to leave: halting");
		}
	}

	@Test
	void aWorkerWhoseMasterDiesWhileItBootsLeavesAtOnce() throws Exception {
		try (MasterProcess master = startBooting("boot-stop-master-killed")) {
			List<Long> workers = master.awaitWorkerCount(1, Duration.ofSeconds(5));
			Signals.send(master.pid(), "KILL");
			// Before, the orphan made the rest of its beans (two minutes) before it read
			// the end of the master's channel.
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(25);
			while (workers.stream().anyMatch(BootStopIT::alive) && System.nanoTime() < deadline) {
				Thread.sleep(100);
			}
			assertThat(workers).as("workers alive 25 s after their master died").noneMatch(BootStopIT::alive);
			assertThat(master.log()).contains("worker 1 leaving before it was ready (the master is gone)");
		}
	}

	/**
	 * A pool of one worker, once that worker has begun to make its slow bean.
	 * @param name the log's name
	 * @return the master
	 */
	private static MasterProcess startBooting(String name) throws IOException {
		MasterProcess master = MasterProcess.start(name, "--jproc.workers=1", "--sample.slow-boot=120s");
		try {
			master.awaitLog(SLOW_BEAN, Duration.ofSeconds(60));
			return master;
		}
		catch (RuntimeException | AssertionError ex) {
			master.close();
			throw ex;
		}
	}

	private static boolean alive(long pid) {
		return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
	}

}
