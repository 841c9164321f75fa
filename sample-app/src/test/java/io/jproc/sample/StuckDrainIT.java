package io.jproc.sample;

import java.time.Duration;
import java.util.regex.Pattern;

import io.jproc.sample.support.MasterProcess;
import io.jproc.sample.support.RawHttp;
import io.jproc.sample.support.RetirementLine;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A retiring worker whose drain outlasts {@code jproc.drain-timeout} (plus the grace
 * period) is killed; its replacement serves and the master carries on.
 */
class StuckDrainIT {

	@Test
	void workerThatDoesNotDrainInTimeIsKilledAndReplacedAndTheMasterSurvives() throws Exception {
		try (MasterProcess master = MasterProcess.start("stuck-drain", "--jproc.workers=1", "--jproc.drain-timeout=2s",
				"--sample.stuck-drain=120s", "--sample.trouble-endpoints=true")) {
			master.awaitAllReady(1, Duration.ofSeconds(90));
			RawHttp.Response asked = RawHttp.get(master.port(), "/trouble/retire?reason=test", Duration.ofSeconds(10));
			assertThat(asked.body()).contains("\"asked\":true");
			long old = asked.pid();
			RetirementLine line = RetirementLine.await(master, old, Duration.ofSeconds(90));
			assertThat(line.reason()).isEqualTo("test");
			assertThat(line.text()).contains("killed (SIGKILL)").contains("with signal 9");
			// drain-timeout + long-lived-grace (1 s) + 2 s for long-lived connections +
			// the 5 s grace: the kill deadline does not depend on their number.
			assertThat(line.exitedAt() - line.readyAt()).as("killed after drain-timeout + grace, s")
				.isBetween(2.0 + 1.0 + 2.0 + 5.0 - 0.5, 2.0 + 1.0 + 2.0 + 5.0 + 3.0);
			FatalRetirementIT.awaitGone(old);
			assertThat(master.process().isAlive()).as("master alive").isTrue();
			RawHttp.Response served = RawHttp.get(master.port(), "/", Duration.ofSeconds(10));
			assertThat(served.status()).isEqualTo(200);
			assertThat(served.pid()).isEqualTo(line.replacementPid());
			assertThat(master.count(Pattern.compile("jproc master: unexpected error"))).isZero();
		}
	}

}
