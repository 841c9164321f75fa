package io.jproc.sample;

import java.time.Duration;
import java.util.regex.Pattern;

import io.jproc.sample.support.MasterProcess;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker that cannot boot is restarted a bounded number of times, then the master gives
 * up and exits non-zero, showing the worker's own error: never a fork storm.
 */
class BootFailureIT {

	@Test
	void workerThatCannotBootIsGivenUpAndTheMasterExits() throws Exception {
		try (MasterProcess master = MasterProcess.start("boot-failure", "--jproc.workers=1",
				"--jproc.restart.max-boot-failures=2", "--sample.fail-on-start=true")) {
			int exit = master.awaitExit(Duration.ofSeconds(90));
			assertThat(exit).as("master exit code (GAVE_UP)").isEqualTo(4);
			assertThat(master.log()).contains("this application refuses to start")
				.contains("worker 1 given up after 2 boot failures in a row")
				.contains("every worker slot has given up");
			assertThat(master.count(Pattern.compile("worker 1 \\(pid \\d+\\) started"))).as("boot attempts")
				.isEqualTo(2);
			assertThat(master.survivors()).isEmpty();
		}
	}

}
