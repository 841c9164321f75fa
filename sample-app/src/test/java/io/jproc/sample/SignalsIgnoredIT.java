package io.jproc.sample;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import io.jproc.sample.support.MasterProcess;
import io.jproc.sample.support.RawHttp;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A master started with SIGHUP ignored, as {@code nohup java -jar app.jar &} starts it:
 * the JVM keeps SIGHUP ignored, so {@code kill -HUP} can never reload. The master says so
 * once at start, in its log and in {@code /actuator/workers}, and the actuator's reload,
 * which it names, works.
 */
class SignalsIgnoredIT {

	private static final Duration BOUND = Duration.ofSeconds(90);

	private static final Duration REQUEST = Duration.ofSeconds(10);

	private static final Pattern WARNING = Pattern.compile("SIGHUP was ignored when this process started");

	@Test
	void masterWithSighupIgnoredSaysSoOnceAndReloadsThroughTheActuator() throws Exception {
		List<String> nohup = List.of("sh", "-c", "trap '' HUP; exec \"$@\"", "sh");
		try (MasterProcess master = MasterProcess.startExec("signals-ignored", nohup, "--jproc.workers=1",
				"--management.endpoint.workers.access=unrestricted")) {
			master.awaitAllReady(1, BOUND);
			assertThat(master.count(WARNING)).as("warnings in the log").isEqualTo(1);
			assertThat(master.log()).contains("reload with POST /actuator/workers {\"action\":\"reload\"}");
			RawHttp.Response status = RawHttp.get(master.port(), "/actuator/workers", REQUEST);
			assertThat(status.status()).as(status.body()).isEqualTo(200);
			JsonNode warnings = JsonMapper.builder().build().readTree(status.body()).get("master").get("warnings");
			assertThat(warnings.size()).as(warnings.toString()).isEqualTo(1);
			assertThat(warnings.get(0).asString()).contains("SIGHUP was ignored")
				.contains("POST /actuator/workers {\"action\":\"reload\"}");
			List<Long> before = master.awaitWorkerCount(1, BOUND);
			RawHttp.Response reload = RawHttp.post(master.port(), "/actuator/workers", "{\"action\":\"reload\"}",
					REQUEST);
			assertThat(reload.status()).as(reload.body()).isEqualTo(202);
			master.awaitLog(Pattern.compile("reload complete \\(actuator via worker 1\\): 1 workers? replaced"), BOUND);
			List<Long> after = master.awaitWorkerCount(1, BOUND);
			assertThat(after).doesNotContainAnyElementsOf(before);
			// And SIGHUP indeed does nothing: no reload begins, the master lives on.
			master.signal("HUP");
			Thread.sleep(1500);
			assertThat(master.log()).doesNotContain("reload begun (SIGHUP)");
			assertThat(master.process().isAlive()).isTrue();
			master.signal("TERM");
			assertThat(master.awaitExit(BOUND)).isZero();
			assertThat(master.survivors()).isEmpty();
		}
	}

}
