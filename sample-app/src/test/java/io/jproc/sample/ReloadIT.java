package io.jproc.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import io.jproc.sample.support.Load;
import io.jproc.sample.support.MasterProcess;
import io.jproc.sample.support.RawHttp;
import io.jproc.sample.support.Sockets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rolling reload, scaling and restart of one worker on one shared 2-worker pool, from
 * signals and from the actuator's write operations.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReloadIT {

	private static final Duration BOUND = Duration.ofSeconds(10);

	@TempDir
	static Path config;

	private static MasterProcess master;

	private static long listening;

	@BeforeAll
	static void startPool() throws Exception {
		Files.writeString(config.resolve("application.yml"), "sample.message: before\n");
		// The connection balance stops a worker that holds more connections than its
		// share
		// (it still serves them): the reload test counts the workers that accept to check
		// the order of replacements, so this pool runs without the balance.
		master = MasterProcess.startPool("reload", 2, "--jproc.drain-timeout=10s", "--jproc.balance.enabled=false",
				"--spring.config.additional-location=file:" + config + "/",
				"--management.endpoint.workers.access=unrestricted");
		listening = Sockets.listeningSocketsOf(master.pid()).iterator().next();
	}

	@AfterAll
	static void stopPool() {
		MasterProcess.closeShared(master);
	}

	@Test
	@Order(1)
	void rollingReloadUnderLoadLosesNoRequestAndPicksUpChangedConfiguration() throws Exception {
		List<Long> before = master.awaitWorkerCount(2, BOUND);
		assertThat(messages(10)).containsOnly("before");
		Files.writeString(config.resolve("application.yml"), "sample.message: after\n");
		AtomicInteger fewestAccepting = new AtomicInteger(Integer.MAX_VALUE);
		AtomicBoolean sampling = new AtomicBoolean(true);
		Thread sampler = new Thread(() -> {
			while (sampling.get()) {
				int accepting = (int) master.workerPids()
					.stream()
					.filter((pid) -> Sockets.isAccepting(pid, listening))
					.count();
				fewestAccepting.accumulateAndGet(accepting, Math::min);
				sleep(20);
			}
		});
		try (Load load = Load.start(master.port(), "/", 2, Duration.ofSeconds(120))) {
			load.awaitMore(50, BOUND);
			sampler.start();
			master.signal("HUP");
			master.awaitLog(Pattern.compile("reload complete \\(SIGHUP\\): 2 workers replaced"),
					Duration.ofSeconds(90));
			load.awaitMore(100, BOUND);
			load.close();
			assertThat(load.failures()).as("failed requests across the reload").isEmpty();
		}
		finally {
			sampling.set(false);
			sampler.join(5_000);
		}
		assertThat(fewestAccepting.get()).as("fewest workers accepting during the reload").isGreaterThanOrEqualTo(2);
		List<Long> after = awaitWorkersGone(before);
		assertThat(after).hasSize(2).doesNotContainAnyElementsOf(before);
		assertThat(messages(20)).as("new workers read the changed configuration").containsOnly("after");
		for (long pid : before) {
			assertThat(master.log()).as("the drained worker logs it while its logging still runs")
				.containsPattern(" " + pid + " --- .*worker \\d drained, exiting");
		}
		assertThat(master.log()).doesNotContain("No appenders present");
		RawHttp.Response workers = RawHttp.get(master.port(), "/actuator/workers", BOUND);
		assertThat(workers.body())
			.contains("\"operation\":{\"action\":\"reload\",\"trigger\":\"SIGHUP\",\"state\":\"done\"");
	}

	@Test
	@Order(2)
	void invalidOperationsAreRefusedAndChangeNothing() throws Exception {
		List<Long> before = master.awaitWorkerCount(2, BOUND);
		RawHttp.Response absurd = post("/actuator/workers", "{\"action\":\"scale\",\"workers\":100000}");
		assertThat(absurd.status()).isEqualTo(400);
		assertThat(absurd.body()).contains("workers must be a whole number from 1 to 256");
		RawHttp.Response unknownWorker = post("/actuator/workers/99", "{\"action\":\"restart\"}");
		assertThat(unknownWorker.status()).isEqualTo(404);
		assertThat(unknownWorker.body()).contains("no worker 99");
		RawHttp.Response unknownAction = post("/actuator/workers", "{\"action\":\"explode\"}");
		assertThat(unknownAction.status()).isEqualTo(400);
		assertThat(post("/actuator/workers", "{\"action\":\"reload\"}").status()).isEqualTo(202);
		RawHttp.Response second = post("/actuator/workers", "{\"action\":\"reload\"}");
		assertThat(second.status()).as("reload while a reload runs").isEqualTo(409);
		assertThat(second.body()).contains("a reload is running");
		master.awaitLog(Pattern.compile("reload complete \\(actuator via worker \\d\\)"), Duration.ofSeconds(90));
		List<Long> after = awaitWorkersGone(before);
		assertThat(after).as("only the accepted reload changed the pool").hasSize(2);
	}

	@Test
	@Order(3)
	void restartOneReplacesOnlyThatWorker() throws Exception {
		master.awaitWorkerCount(2, BOUND);
		long one = workerPid(1);
		long two = workerPid(2);
		assertThat(post("/actuator/workers/1", "{\"action\":\"restart\"}").status()).isEqualTo(202);
		master.awaitLog(Pattern.compile("restart complete"), Duration.ofSeconds(60));
		awaitWorkersGone(List.of(one));
		assertThat(workerPid(1)).isNotEqualTo(one);
		assertThat(workerPid(2)).isEqualTo(two);
	}

	@Test
	@Order(4)
	void scaleTwoToThreeToOneEndsWithTheRightReadyWorkers() throws Exception {
		assertThat(post("/actuator/workers", "{\"action\":\"scale\",\"workers\":3}").status()).isEqualTo(202);
		awaitReady(3);
		assertThat(new HashSet<>(master.awaitWorkerCount(3, BOUND))).hasSize(3);
		master.signal("TTOU");
		master.signal("TTOU");
		awaitReady(1);
		List<Long> left = master.awaitWorkerCount(1, Duration.ofSeconds(30));
		Set<Long> served = new HashSet<>();
		for (int i = 0; i < 20; i++) {
			served.add(RawHttp.get(master.port(), "/", BOUND).pid());
		}
		assertThat(served).containsExactlyElementsOf(left);
		master.signal("TTIN");
		awaitReady(2);
		assertThat(new HashSet<>(master.awaitWorkerCount(2, BOUND))).hasSize(2);
	}

	@Test
	@Order(5)
	void reloadWhoseNewWorkerCannotBootStopsAndTheOldWorkersKeepServing() throws Exception {
		List<Long> before = master.awaitWorkerCount(2, BOUND);
		Files.writeString(config.resolve("application.yml"), "sample.message: broken\nsample.fail-on-start: true\n");
		master.signal("HUP");
		master.awaitLog(Pattern.compile("reload stopped \\(SIGHUP\\): worker \\d \\(pid \\d+\\) exited with"),
				Duration.ofSeconds(60));
		assertThat(master.awaitWorkerCount(2, BOUND)).containsExactlyInAnyOrderElementsOf(before);
		assertThat(messages(10)).as("the old workers keep serving").containsOnly("after");
		RawHttp.Response workers = RawHttp.get(master.port(), "/actuator/workers", BOUND);
		assertThat(workers.body()).contains("\"state\":\"failed\"").doesNotContain("given-up");
		Files.writeString(config.resolve("application.yml"), "sample.message: after\n");
	}

	private static List<String> messages(int requests) throws Exception {
		List<String> messages = new java.util.ArrayList<>();
		for (int i = 0; i < requests; i++) {
			String body = RawHttp.get(master.port(), "/", BOUND).body();
			java.util.regex.Matcher matcher = Pattern.compile("\"message\":\"([^\"]*)\"").matcher(body);
			messages.add(matcher.find() ? matcher.group(1) : body);
		}
		return messages;
	}

	private static RawHttp.Response post(String path, String json) throws Exception {
		return RawHttp.post(master.port(), path, json, BOUND);
	}

	private static long workerPid(int id) throws Exception {
		String body = RawHttp.get(master.port(), "/actuator/workers/" + id, BOUND).body();
		java.util.regex.Matcher matcher = Pattern.compile("\"pid\":(\\d+)").matcher(body);
		assertThat(matcher.find()).as("pid of worker " + id + " in " + body).isTrue();
		return Long.parseLong(matcher.group(1));
	}

	private static void awaitReady(int count) throws Exception {
		long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		String body = "";
		while (System.nanoTime() < end) {
			body = RawHttp.get(master.port(), "/actuator/workers", BOUND).body();
			if (body.contains("\"workersWanted\":" + count + ",\"workersReady\":" + count + ",")) {
				return;
			}
			sleep(200);
		}
		throw new AssertionError("never " + count + " ready workers; last answer " + body);
	}

	private static List<Long> awaitWorkersGone(List<Long> old) {
		long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (System.nanoTime() < end) {
			List<Long> now = master.workerPids();
			if (now.stream().noneMatch(old::contains)) {
				return now;
			}
			sleep(100);
		}
		throw new AssertionError("old workers " + old + " still running: " + master.workerPids());
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
