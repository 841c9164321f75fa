package io.jproc.sample;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.jproc.sample.support.Load;
import io.jproc.sample.support.MasterProcess;
import io.jproc.sample.support.RawHttp;
import io.jproc.sample.support.Signals;
import io.jproc.sample.support.Sockets;
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
 * A real pool of two workers and one spare ({@code jproc.spare-workers=1}), shared by the
 * tests of this class, with the default warm-up (500 requests to /, which no option turns
 * on: a spare is warm by default): the spare holds the shared sockets but accepts
 * nothing; a {@code kill -9} of a worker under a request stream is served by the spare in
 * the killed worker's name while a new spare boots; a reload replaces the spare; SIGTERM
 * ends every process, the spare too.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SpareIT {

	private static final Pattern SPARE_READY = Pattern.compile("spare #(\\d+) \\(pid (\\d+)\\) ready in");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static MasterProcess master;

	@BeforeAll
	static void startPool() throws Exception {
		// The default warm-up (500 requests within 10 s): naming its default timeout
		// keeps
		// MasterProcess from turning it off.
		master = MasterProcess.startPool("spare", 2, "--jproc.spare-workers=1", "--management.server.port=0",
				"--jproc.heartbeat.interval=1s", "--jproc.heartbeat.timeout=10s", "--jproc.warmup.timeout=10s");
	}

	@AfterAll
	static void stopPool() {
		MasterProcess.closeShared(master);
	}

	private static long spareReady(int occurrence) {
		Matcher ready = master.awaitLog(SPARE_READY, occurrence, Duration.ofSeconds(90));
		return Long.parseLong(ready.group(2));
	}

	private static JsonNode workers() throws Exception {
		RawHttp.Response response = RawHttp.get(master.managementPort(), "/actuator/workers", Duration.ofSeconds(10));
		assertThat(response.status()).isEqualTo(200);
		return JSON.readTree(response.unchunked());
	}

	@Test
	@Order(1)
	void spareHoldsTheSocketsButAcceptsNothing() throws Exception {
		long spare = spareReady(1);
		assertThat(master.awaitWorkerCount(3, Duration.ofSeconds(10))).contains(spare);
		Set<Long> shared = Sockets.listeningSocketsOf(master.pid());
		assertThat(Sockets.listeningSocketsOf(spare)).as("the spare holds the master's sockets").isEqualTo(shared);
		for (long inode : shared) {
			assertThat(Sockets.isAccepting(spare, inode)).as("the spare accepts on socket " + inode).isFalse();
		}
		Set<Long> servedBy = new HashSet<>();
		for (int i = 0; i < 200; i++) {
			servedBy.add(RawHttp.get(master.port(), "/", Duration.ofSeconds(10)).pid());
		}
		assertThat(servedBy).hasSize(2).doesNotContain(spare);
		JsonNode pool = workers();
		assertThat(pool.get("answeredBy").get("pid").asLong()).isNotEqualTo(spare);
		assertThat(pool.get("master").get("sparesWanted").asInt()).isEqualTo(1);
		assertThat(pool.get("master").get("sparesReady").asInt()).isEqualTo(1);
		JsonNode entry = pool.get("spares").get(0);
		assertThat(entry.get("pid").asLong()).isEqualTo(spare);
		assertThat(entry.get("state").asString()).isEqualTo("ready");
		assertThat(entry.get("bootMillis").asLong()).isPositive();
		assertThat(master.log()).containsPattern("\\[spare #\\d+\\]\\s+INFO " + spare + " --- ");
		// Every worker and the spare warmed up on a private port before reporting ready,
		// by default.
		assertThat(master.count(Pattern.compile("(worker [12]|spare #\\d+) warmed up: \\d+ requests to \\[/\\]")))
			.isEqualTo(3);
	}

	@Test
	@Order(2)
	void killedWorkerIsServedByTheSpareInItsNameWhileANewSpareBoots() throws Exception {
		long spare = spareReady(1);
		JsonNode before = workers();
		long killed = before.get("workers").get(0).get("pid").asLong();
		assertThat(before.get("workers").get(0).get("id").asInt()).isEqualTo(1);
		try (Load load = Load.start(master.port(), "/", 2, Duration.ofSeconds(5))) {
			load.awaitMore(200, Duration.ofSeconds(30));
			long killedAt = System.nanoTime();
			Signals.send(killed, "KILL");
			long servedAfter = -1;
			long deadline = killedAt + Duration.ofSeconds(20).toNanos();
			while (System.nanoTime() < deadline) {
				RawHttp.Response response = RawHttp.get(master.port(), "/", Duration.ofSeconds(10));
				if (response.pid() == spare) {
					servedAfter = (System.nanoTime() - killedAt) / 1_000_000;
					assertThat(response.worker()).as("the spare answers as worker 1").isEqualTo(1);
					break;
				}
			}
			assertThat(servedAfter).as("ms from kill -9 to the spare's first answer").isNotNegative();
			System.out.println("spare served " + servedAfter + " ms after kill -9 of worker 1");
			load.awaitMore(200, Duration.ofSeconds(30));
		}
		master.awaitLog(Pattern.compile("worker 1: spare #\\d+ \\(pid " + spare + "\\) takes the slot \\(crash\\)"),
				Duration.ofSeconds(10));
		assertThat(master.log()).as("the spare's log lines now say worker 1")
			.containsPattern("\\[worker 1\\]\\s+INFO " + spare + " --- ");
		long next = spareReady(2);
		assertThat(next).isNotEqualTo(spare);
		JsonNode after = workers();
		assertThat(after.get("workers").get(0).get("pid").asLong()).isEqualTo(spare);
		assertThat(after.get("workers").get(0).get("restartsByReason").get("crash").asInt()).isEqualTo(1);
		assertThat(after.get("spares").get(0).get("pid").asLong()).isEqualTo(next);
		assertThat(master.awaitWorkerCount(3, Duration.ofSeconds(10))).doesNotContain(killed);
	}

	@Test
	@Order(3)
	void reloadReplacesTheSpareWithOneOfTheNewBuild() throws Exception {
		long oldSpare = spareReady(2);
		master.signal("HUP");
		master.awaitLog(Pattern.compile("spare #\\d+ \\(pid " + oldSpare + "\\) exited with exit code 0"),
				Duration.ofSeconds(30));
		master.awaitLog(Pattern.compile("reload done|2 workers replaced"), Duration.ofSeconds(120));
		long fresh = spareReady(3);
		assertThat(fresh).isNotEqualTo(oldSpare);
		JsonNode pool = workers();
		assertThat(pool.get("spares").get(0).get("pid").asLong()).isEqualTo(fresh);
		List<Long> alive = master.awaitWorkerCount(3, Duration.ofSeconds(30));
		assertThat(alive).contains(fresh).doesNotContain(oldSpare);
		// Waiting spares send heartbeats like workers (a 10 s timeout here): none was
		// hung.
		assertThat(master.log()).doesNotContain("is hung");
	}

	@Test
	@Order(4)
	void shutdownEndsTheSpareToo() throws Exception {
		List<Long> all = master.awaitWorkerCount(3, Duration.ofSeconds(10));
		master.signal("TERM");
		assertThat(master.awaitExit(Duration.ofSeconds(60))).isZero();
		for (long pid : all) {
			assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("process " + pid + " alive")
				.isFalse();
		}
	}

}
