package io.jproc.sample;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One real master with two real workers, shared by the tests of this class; the last test
 * shuts it down with SIGTERM.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PoolIT {

	private static MasterProcess master;

	@BeforeAll
	static void startPool() throws Exception {
		master = MasterProcess.startPool("pool", 2, "--management.server.port=0");
	}

	@AfterAll
	static void stopPool() {
		MasterProcess.closeShared(master);
	}

	@Test
	@Order(1)
	void twoWorkersAnswerOnOnePortWithoutSocketsOfTheirOwn() throws Exception {
		List<Long> workers = master.awaitWorkerCount(2, Duration.ofSeconds(10));
		Set<Long> servedBy = new HashSet<>();
		for (int i = 0; i < 300; i++) {
			RawHttp.Response response = RawHttp.get(master.port(), "/", Duration.ofSeconds(10));
			assertThat(response.status()).isEqualTo(200);
			servedBy.add(response.pid());
		}
		assertThat(servedBy).as("pids that served 300 requests").hasSize(2).isSubsetOf(workers);
		Set<Long> shared = Sockets.listeningSocketsOf(master.pid());
		assertThat(shared).as("the master's listening sockets (server and management)").hasSize(2);
		for (long worker : workers) {
			assertThat(Sockets.listeningSocketsOf(worker)).as("listening sockets of worker " + worker)
				.isEqualTo(shared);
		}
	}

	@Test
	@Order(2)
	void managementPortIsSharedToo() throws Exception {
		int managementPort = master.managementPort();
		assertThat(managementPort).isNotEqualTo(master.port());
		// Health reads a status of a pool still booting at most 100 ms old: it may say
		// DOWN that long after the workers are ready.
		long upBy = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (RawHttp.get(managementPort, "/actuator/health", Duration.ofSeconds(10)).status() != 200) {
			assertThat(System.nanoTime()).as("health UP within 10 s").isLessThan(upBy);
			Thread.sleep(100);
		}
		for (int i = 0; i < 10; i++) {
			RawHttp.Response health = RawHttp.get(managementPort, "/actuator/health", Duration.ofSeconds(10));
			assertThat(health.status()).isEqualTo(200);
			assertThat(health.body()).contains("\"status\":\"UP\"");
		}
		assertThat(RawHttp.get(master.port(), "/actuator/health", Duration.ofSeconds(10)).status())
			.as("actuator is not on the application port")
			.isEqualTo(404);
	}

	@Test
	@Order(3)
	void killedWorkerIsReplacedWhileTheOtherKeepsServing() throws Exception {
		List<Long> before = master.awaitWorkerCount(2, Duration.ofSeconds(10));
		long victim = before.get(0);
		long survivor = before.get(1);
		try (Load load = Load.start(master.port(), "/", 1, Duration.ofSeconds(60))) {
			load.awaitMore(20, Duration.ofSeconds(10));
			long killedAt = System.nanoTime();
			Signals.send(victim, "KILL");
			master.awaitLog(Pattern.compile("\\(pid " + victim + "\\) exited with signal 9"), Duration.ofSeconds(10));
			load.awaitMore(50, Duration.ofSeconds(10));
			List<Long> after = master.awaitWorkerCount(2, Duration.ofSeconds(10));
			long replacement = after.stream().filter((pid) -> pid != survivor).findFirst().orElseThrow();
			assertThat(replacement).isNotEqualTo(victim);
			master.awaitLog(Pattern.compile("\\(pid " + replacement + "\\) ready in"), Duration.ofSeconds(60));
			long replacedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
			load.awaitMore(20, Duration.ofSeconds(10));
			assertThat(load.failures()).as("requests failed around the kill (at most the one in flight)")
				.hasSizeLessThanOrEqualTo(1);
			System.out.println("kill -9 to replacement ready: " + replacedMillis + " ms");
		}
	}

	@Test
	@Order(4)
	void sigtermFinishesTheSlowRequestThenEverythingExits() throws Exception {
		int port = master.port();
		try (RawHttp.Pending slow = RawHttp.send(port, "/slow?ms=3000", Duration.ofSeconds(30))) {
			Thread.sleep(700);
			master.signal("TERM");
			assertThat(slow.response().status()).as("slow request in flight at SIGTERM").isEqualTo(200);
		}
		assertThat(master.awaitExit(Duration.ofSeconds(40))).isZero();
		master.awaitLog(Pattern.compile("shutdown complete"), Duration.ofSeconds(1));
		long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (!master.survivors().isEmpty() && System.nanoTime() < end) {
			Thread.sleep(100);
		}
		assertThat(master.survivors()).as("processes left after SIGTERM").isEmpty();
		assertThat(Sockets.canBind(port)).as("port free after shutdown").isTrue();
	}

}
