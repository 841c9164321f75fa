package io.jproc.master;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link MasterSignals}: which of the master's signals are left ignored, and
 * the one warning that says what to use instead.
 */
class MasterSignalsTests {

	private static final String STATUS = "Name:\tjava\nSigBlk:\t0000000000000000\nSigIgn:\t%s\nSigCgt:\t2000000101105ece\n";

	@Test
	void ignoredShouldReadTheKernelsMaskOfIgnoredSignals() {
		// bit 0 is SIGHUP, bit 1 SIGINT
		assertThat(MasterSignals.ignored(STATUS.formatted("0000000000000001"), Set.of())).containsExactly("HUP");
		assertThat(MasterSignals.ignored(STATUS.formatted("0000000000000003"), Set.of())).containsExactly("INT", "HUP");
		assertThat(MasterSignals.ignored(STATUS.formatted("0000000000000000"), Set.of("HUP"))).isEmpty();
	}

	@Test
	void ignoredWithoutProcShouldTrustWhatTheJvmRefused() {
		assertThat(MasterSignals.ignored(null, Set.of("HUP"))).containsExactly("HUP");
		assertThat(MasterSignals.ignored("no such line", Set.of("TERM"))).containsExactly("TERM");
	}

	@Test
	void warningShouldNameTheSignalAndWhatToUseInstead() {
		String warning = MasterSignals.warning(List.of("HUP"));
		assertThat(warning).startsWith("jproc master: SIGHUP was ignored when this process started")
			.contains("POST /actuator/workers {\"action\":\"reload\"}")
			.contains("without nohup (setsid");
		assertThat(MasterSignals.warning(List.of("INT", "HUP"))).contains("SIGINT, SIGHUP were ignored")
			.contains("stop it with SIGTERM");
		assertThat(MasterSignals.warning(List.of("USR1"))).isNull();
		assertThat(MasterSignals.warning(List.of())).isNull();
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void arbiterShouldLogTheWarningOnceAndShowItInThePoolStatus(CapturedOutput output) {
		FakePool pool = new FakePool(1);
		pool.settle();
		pool.arbiter.signalsIgnored(List.of("HUP"));
		assertThat(pool.status().master().warnings()).singleElement()
			.asString()
			.contains("SIGHUP was ignored")
			.contains("{\"action\":\"reload\"}");
		assertThat(output.getOut().lines().filter((line) -> line.contains("SIGHUP was ignored"))).hasSize(1);
		pool.advance(java.time.Duration.ofSeconds(2));
		assertThat(pool.status().master().warnings()).hasSize(1);
	}

}
