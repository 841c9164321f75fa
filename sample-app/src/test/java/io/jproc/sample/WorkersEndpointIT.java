package io.jproc.sample;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import io.jproc.sample.support.MasterProcess;
import io.jproc.sample.support.RawHttp;
import io.jproc.sample.support.Signals;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /actuator/workers}, {@code /actuator/health} and {@code /actuator/prometheus} on
 * one real master with two real workers: whichever worker answers, each tells the truth
 * about the whole pool. The last test kills a worker.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkersEndpointIT {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static MasterProcess master;

	@BeforeAll
	static void startPool() throws Exception {
		master = MasterProcess.startPool("workers-endpoint", 2, "--management.endpoint.health.show-components=always");
	}

	@AfterAll
	static void stopPool() {
		MasterProcess.closeShared(master);
	}

	@Test
	@Order(1)
	void endpointListsBothWorkersWhicheverWorkerAnswers() throws Exception {
		List<Long> pids = master.awaitWorkerCount(2, TIMEOUT);
		Set<Integer> answeredBy = new HashSet<>();
		for (int i = 0; i < 60 && (answeredBy.size() < 2 || i < 10); i++) {
			RawHttp.Response response = RawHttp.get(master.port(), "/actuator/workers", TIMEOUT);
			assertThat(response.status()).as(response.body()).isEqualTo(200);
			JsonNode pool = json(response);
			JsonNode master = pool.get("master");
			assertThat(master.get("pid").asLong()).isEqualTo(WorkersEndpointIT.master.pid());
			assertThat(master.get("state").asString()).isEqualTo("running");
			assertThat(master.get("workersWanted").asInt()).isEqualTo(2);
			assertThat(master.get("workersReady").asInt()).isEqualTo(2);
			assertThat(master.get("uptimeMillis").asLong()).isPositive();
			assertThat(master.get("listening").get(0).asString())
				.endsWith(":" + WorkersEndpointIT.master.port() + " (server)");
			JsonNode workers = pool.get("workers");
			assertThat(workers.size()).isEqualTo(2);
			Set<Long> listed = new HashSet<>();
			for (int slot = 0; slot < 2; slot++) {
				JsonNode worker = workers.get(slot);
				assertThat(worker.get("id").asInt()).isEqualTo(slot + 1);
				assertThat(worker.get("state").asString()).isEqualTo("ready");
				assertThat(worker.get("uptimeMillis").asLong()).isPositive();
				assertThat(worker.get("bootMillis").asLong()).isBetween(1L, 120_000L);
				assertThat(worker.get("restarts").asInt()).isZero();
				assertThat(worker.get("lastExit").isNull()).isTrue();
				assertThat(worker.get("heartbeatAgeMillis").asLong()).isBetween(0L, 60_000L);
				JsonNode heap = worker.get("heapUsed");
				assertThat(heap.isNull() || heap.asLong() > 0).as("heapUsed absent or positive: " + heap).isTrue();
				listed.add(worker.get("pid").asLong());
			}
			assertThat(listed).as("distinct pids of the live workers").containsExactlyInAnyOrderElementsOf(pids);
			JsonNode answering = pool.get("answeredBy");
			assertThat(workers.get(answering.get("id").asInt() - 1).get("pid").asLong())
				.isEqualTo(answering.get("pid").asLong());
			answeredBy.add(answering.get("id").asInt());
		}
		assertThat(answeredBy).as("workers that answered").containsExactlyInAnyOrder(1, 2);
	}

	@Test
	@Order(2)
	void selectorsAnswerOneWorkerOrAClearError() throws Exception {
		RawHttp.Response one = RawHttp.get(master.port(), "/actuator/workers/1", TIMEOUT);
		assertThat(one.status()).isEqualTo(200);
		assertThat(json(one).get("id").asInt()).isEqualTo(1);
		RawHttp.Response unknown = RawHttp.get(master.port(), "/actuator/workers/99", TIMEOUT);
		assertThat(unknown.status()).isEqualTo(404);
		assertThat(json(unknown).get("error").asString()).isEqualTo("no worker 99; worker ids are 1 to 2");
		assertThat(RawHttp.get(master.port(), "/actuator/workers/abc", TIMEOUT).status()).isEqualTo(400);
		assertThat(RawHttp.get(master.port(), "/actuator/workers/-1", TIMEOUT).status()).isEqualTo(404);
	}

	@Test
	@Order(3)
	void prometheusScrapeHoldsBothWorkersAndPoolSeriesOnce() throws Exception {
		for (int i = 0; i < 4; i++) {
			RawHttp.Response response = RawHttp.get(master.port(), "/actuator/prometheus", TIMEOUT);
			assertThat(response.status()).isEqualTo(200);
			String text = response.body();
			assertThat(text).contains("jvm_threads_live_threads{worker=\"1\"}",
					"jvm_threads_live_threads{worker=\"2\"}", "jproc_pool_scrape_success{worker=\"1\"} 1",
					"jproc_pool_scrape_success{worker=\"2\"} 1");
			assertThat(text.lines().filter((line) -> line.startsWith("jproc_pool_workers_wanted")))
				.containsExactly("jproc_pool_workers_wanted 2.0");
			assertThat(text.lines().filter((line) -> line.startsWith("# TYPE jvm_threads_live_threads "))).hasSize(1);
			assertThat(text).doesNotContain("# jproc:");
		}
	}

	@Test
	@Order(4)
	void killedWorkerShowsItsExitWhileHealthIsDegradedThenUpAgain() throws Exception {
		JsonNode before = json(RawHttp.get(master.port(), "/actuator/workers", TIMEOUT));
		long victim = before.get("workers").get(0).get("pid").asLong();
		Signals.send(victim, "KILL");
		master.awaitLog(Pattern.compile("\\(pid " + victim + "\\) exited with signal 9"), TIMEOUT);
		JsonNode health = awaitHealth((status) -> !"UP".equals(status), Duration.ofSeconds(15));
		assertThat(health.get("status").asString()).isEqualTo("DEGRADED");
		assertThat(health.get("components").get("workers").get("status").asString()).isEqualTo("DEGRADED");
		JsonNode slot = json(RawHttp.get(master.port(), "/actuator/workers/1", TIMEOUT));
		assertThat(slot.get("restarts").asInt()).isEqualTo(1);
		assertThat(slot.get("lastExit").get("signal").asString()).isEqualTo("KILL");
		assertThat(slot.get("lastExit").get("code").isNull()).isTrue();
		assertThat(slot.get("lastExit").get("reason").asString()).isEqualTo("exited unexpectedly");
		assertThat(slot.get("pid").isNull() || slot.get("pid").asLong() != victim).isTrue();
		awaitHealth("UP"::equals, Duration.ofSeconds(90));
		JsonNode after = json(RawHttp.get(master.port(), "/actuator/workers/1", TIMEOUT));
		assertThat(after.get("state").asString()).isEqualTo("ready");
		assertThat(after.get("pid").asLong()).isNotEqualTo(victim);
		assertThat(after.get("restarts").asInt()).isEqualTo(1);
		assertThat(after.get("lastExit").get("signal").asString()).isEqualTo("KILL");
	}

	private static JsonNode awaitHealth(java.util.function.Predicate<String> wanted, Duration timeout)
			throws Exception {
		long deadline = System.nanoTime() + timeout.toNanos();
		String last = null;
		while (System.nanoTime() < deadline) {
			RawHttp.Response response = RawHttp.get(master.port(), "/actuator/health", TIMEOUT);
			last = response.body();
			JsonNode health = json(response);
			if (wanted.test(health.get("status").asString())) {
				return health;
			}
			Thread.sleep(100);
		}
		throw new AssertionError("health not as wanted within " + timeout + "; last: " + last);
	}

	private static JsonNode json(RawHttp.Response response) {
		return JSON.readTree(response.unchunked());
	}

}
