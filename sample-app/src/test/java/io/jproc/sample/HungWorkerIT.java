package io.jproc.sample;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.jproc.sample.support.MasterProcess;
import io.jproc.sample.support.RawHttp;
import io.jproc.sample.support.RetirementLine;
import io.jproc.sample.support.Signals;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stopped worker (SIGSTOP) sends no heartbeat: the master replaces it, has it write a
 * thread dump into the log, and ends it.
 */
class HungWorkerIT {

	@Test
	void stoppedWorkerIsReplacedWithinTheHeartbeatTimeoutDumpsItsThreadsAndIsGone() throws Exception {
		try (MasterProcess master = MasterProcess.start("hung-worker", "--jproc.workers=2",
				"--jproc.heartbeat.interval=500ms", "--jproc.heartbeat.timeout=3s")) {
			master.awaitAllReady(2, Duration.ofSeconds(90));
			List<Long> workers = master.awaitWorkerCount(2, Duration.ofSeconds(10));
			long stopped = workers.get(0);
			try {
				long stoppedAt = System.nanoTime();
				Signals.send(stopped, "STOP");
				Matcher hung = master.awaitLog(Pattern.compile("\\(pid " + stopped + "\\) is hung"),
						Duration.ofSeconds(3 + 5));
				long detectedMillis = (System.nanoTime() - stoppedAt) / 1_000_000;
				assertThat(detectedMillis).as("time to detect the hang").isBetween(2_500L, 3_000L + 5_000L);
				RetirementLine line = RetirementLine.await(master, stopped, Duration.ofSeconds(60));
				assertThat(line.verb()).isEqualTo("killed");
				assertThat(line.reason()).startsWith("hung: no heartbeat for");
				assertThat(line.startedAt()).as("replacement spawned when the hang was seen").isLessThan(0.5);
				String log = master.log();
				int dump = log.indexOf("Full thread dump", hung.start());
				assertThat(dump).as("thread dump after the hang was reported").isPositive();
				FatalRetirementIT.awaitGone(stopped);
				List<Long> after = master.awaitWorkerCount(2, Duration.ofSeconds(10));
				assertThat(after).doesNotContain(stopped).contains(line.replacementPid());
				assertThat(RawHttp.get(master.port(), "/", Duration.ofSeconds(10)).status()).isEqualTo(200);
			}
			finally {
				if (ProcessHandle.of(stopped).map(ProcessHandle::isAlive).orElse(false)) {
					Signals.send(stopped, "CONT");
				}
			}
		}
	}

}
