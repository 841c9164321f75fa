package io.jproc.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Messages between two real workers, and the leader-only task across kill -9, kill -STOP
 * and a reload of its leader, on one shared pool.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MessagingIT {

	private static final Duration HTTP = Duration.ofSeconds(20);

	/** Boots take 4 to 9 s on a quiet machine and much longer on a loaded one. */
	private static final Duration BOOT = Duration.ofSeconds(240);

	static final Pattern TICK = Pattern.compile("leader tick epoch=(\\d+) pid=(\\d+)");

	private static MasterProcess master;

	@BeforeAll
	static void startPool() throws Exception {
		master = MasterProcess.start("messaging", "--jproc.workers=2", "--jproc.heartbeat.interval=500ms",
				"--jproc.heartbeat.timeout=3s", "--sample.leader-tick=200ms", "--jproc.drain-timeout=5s",
				"--management.endpoints.web.exposure.include=health,workers,loggers,caches");
		try {
			master.awaitAllReady(2, BOOT);
		}
		catch (RuntimeException | AssertionError ex) {
			master.close();
			throw ex;
		}
	}

	@AfterAll
	static void stopPool() {
		MasterProcess.closeShared(master);
	}

	@Test
	@Order(1)
	void broadcastReachesEachWorkerExactlyOnceInOrder() throws Exception {
		assertThat(post("/sample/broadcast?text=order&count=50").status()).isEqualTo(200);
		List<String> expected = new ArrayList<>();
		for (int i = 0; i < 50; i++) {
			expected.add("\"order-" + i + "\"");
		}
		Map<Integer, String> byWorker = awaitEachWorker("/sample/received", (body) -> body.contains("order-49"));
		for (String body : byWorker.values()) {
			String list = body.substring(body.indexOf("\"received\":[") + 12,
					body.indexOf(']', body.indexOf("\"received\":[")));
			List<String> orders = List.of(list.split(",")).stream().filter((text) -> text.contains("order-")).toList();
			assertThat(orders).as("texts received by " + body).containsExactlyElementsOf(expected);
		}
	}

	@Test
	@Order(2)
	void crossWorkerEventReachesEveryWorkerExactlyOnce() throws Exception {
		assertThat(post("/sample/event?text=ev1").status()).isEqualTo(200);
		Map<Integer, String> byWorker = awaitEachWorker("/sample/received", (body) -> body.contains("event:ev1"));
		for (String body : byWorker.values()) {
			assertThat(body.split("event:ev1", -1)).as("copies of the event in " + body).hasSize(2);
		}
	}

	@Test
	@Order(2)
	void askIsAnsweredByTheAskedProcess() throws Exception {
		Map<Integer, String> byWorker = awaitEachWorker("/sample/received", (body) -> true);
		for (Map.Entry<Integer, String> worker : byWorker.entrySet()) {
			RawHttp.Response answer = RawHttp.get(master.port(), "/sample/ask/" + worker.getKey(), HTTP);
			assertThat(answer.status()).as(answer.body()).isEqualTo(200);
			assertThat(number(answer.body(), "answeredPid")).isEqualTo(number(worker.getValue(), "pid"));
			assertThat(number(answer.body(), "askedWorker")).isEqualTo(worker.getKey().longValue());
		}
	}

	@Test
	@Order(3)
	void gatherWithASlowWorkerAnswersInTimeWithEachOutcome() throws Exception {
		long start = System.nanoTime();
		RawHttp.Response gathered = RawHttp.get(master.port(), "/sample/gather?slowWorker=2&ms=5000&timeoutMs=1000",
				HTTP);
		long millis = (System.nanoTime() - start) / 1_000_000;
		assertThat(gathered.status()).as(gathered.body()).isEqualTo(200);
		assertThat(gathered.body()).contains("{\"worker\":1,")
			.contains("\"status\":\"ANSWERED\"")
			.contains("\"status\":\"LATE\"");
		assertThat(millis).as("gather time with a 1 s timeout").isLessThan(4_000);
	}

	@Test
	@Order(4)
	void badInputIsRefusedAtTheSender() throws Exception {
		RawHttp.Response big = post("/sample/send-big?size=2000000");
		assertThat(big.status()).isEqualTo(400);
		assertThat(big.body()).contains("jproc.messaging.max-payload");
		RawHttp.Response reserved = post("/sample/send-big?size=10&topic=jproc.mine");
		assertThat(reserved.status()).isEqualTo(400);
		assertThat(reserved.body()).contains("reserved");
		RawHttp.Response bad = post("/sample/send-big?size=10&topic=no%20spaces");
		assertThat(bad.status()).isEqualTo(400);
		assertThat(bad.body()).contains("bad topic");
		RawHttp.Response unknown = RawHttp.get(master.port(), "/sample/ask/9", HTTP);
		assertThat(unknown.status()).isEqualTo(400);
		assertThat(unknown.body()).contains("no ready worker 9");
	}

	@Test
	@Order(5)
	void blockedListenerUnderAFloodDoesNotMakeItsWorkerLookHung() throws Exception {
		List<Long> before = master.awaitWorkerCount(2, Duration.ofSeconds(10));
		assertThat(post("/sample/block?ms=6000").status()).isEqualTo(200);
		long end = System.nanoTime() + Duration.ofSeconds(6).toNanos();
		int floods = 0;
		while (System.nanoTime() < end) {
			post("/sample/flood?count=3000&size=1000&topic=sample.block");
			post("/sample/flood?count=2&size=1000000");
			floods++;
		}
		Thread.sleep(3_000);
		assertThat(master.log()).as("a worker declared hung during the flood").doesNotContain(" is hung");
		assertThat(master.awaitWorkerCount(2, Duration.ofSeconds(10))).as("workers after %d floods", floods)
			.isEqualTo(before);
		assertThat(RawHttp.get(master.port(), "/sample/ask/1", HTTP).status()).isEqualTo(200);
	}

	@Test
	@Order(6)
	void logLevelSetThroughOneWorkerAppliesToEveryWorker() throws Exception {
		RawHttp.Response set = RawHttp.post(master.port(), "/actuator/loggers/io.jproc.sample.demo",
				"{\"configuredLevel\":\"DEBUG\"}", HTTP);
		assertThat(set.status()).as(set.body()).isEqualTo(204);
		Thread.sleep(1_000);
		assertEveryAnswerIsDebug();
	}

	@Test
	@Order(6)
	void cacheEvictedThroughOneWorkerIsEvictedInEveryWorker() throws Exception {
		Map<Integer, String> before = awaitEachWorker("/sample/cached/ann", (body) -> true);
		before.values().forEach((body) -> assertThat(body).contains("\"value\":\"ann#1\""));
		HttpResponse<String> evict = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + master.port() + "/actuator/caches/greetings"))
				.DELETE()
				.timeout(HTTP)
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(evict.statusCode()).as(evict.body()).isEqualTo(204);
		Thread.sleep(1_000);
		Map<Integer, String> after = awaitEachWorker("/sample/cached/ann", (body) -> true);
		after.values()
			.forEach((body) -> assertThat(body).as("recomputed after the eviction").contains("\"value\":\"ann#2\""));
	}

	private static void assertEveryAnswerIsDebug() throws Exception {
		for (int i = 0; i < 20; i++) {
			RawHttp.Response read = RawHttp.get(master.port(), "/actuator/loggers/io.jproc.sample.demo", HTTP);
			assertThat(read.body()).as("read %d", i).contains("\"configuredLevel\":\"DEBUG\"");
		}
	}

	@Test
	@Order(7)
	void leaderOnlyTaskRunsInExactlyOneWorker() throws Exception {
		master.awaitLog(TICK, 10, Duration.ofSeconds(30));
		assertTicksConsistent();
		assertThat(ticks().stream().map((tick) -> tick[1]).distinct().count()).as("pids that ticked").isEqualTo(1);
		RawHttp.Response workers = RawHttp.get(master.port(), "/actuator/workers", HTTP);
		assertThat(workers.body()).contains("\"leader\":{\"id\":")
			.contains("\"pid\":" + ticks().get(0)[1])
			.contains("\"messages\":{\"epoch\":1,");
	}

	@Test
	@Order(8)
	void leaderKilledWithSigkillIsSucceededByAnotherWorker() throws Exception {
		long[] last = awaitFreshTick();
		Matcher line = Pattern.compile("worker (\\d+) leader tick epoch=\\d+ pid=" + last[1]).matcher(master.log());
		assertThat(line.find()).isTrue();
		int killed = Integer.parseInt(line.group(1));
		Signals.send(last[1], "KILL");
		long start = System.nanoTime();
		RawHttp.Response ask = RawHttp.get(master.port(), "/sample/ask/" + killed, HTTP);
		assertThat(ask.status()).as("ask to the killed worker: " + ask.body()).isIn(400, 503);
		RawHttp.Response gathered = RawHttp.get(master.port(),
				"/sample/gather?slowWorker=" + (3 - killed) + "&ms=3000&timeoutMs=1000", HTTP);
		long millis = (System.nanoTime() - start) / 1_000_000;
		System.out.println("ask to a killed worker, then gather with it and a slow one: " + millis + " ms, "
				+ ask.body() + " " + gathered.body());
		assertThat(gathered.status()).as(gathered.body()).isEqualTo(200);
		assertThat(gathered.body()).contains("\"status\":\"LATE\"").containsPattern("\"status\":\"(FAILED|LEFT_OUT)\"");
		assertThat(millis).as("ask and gather right after the kill").isLessThan(5_000);
		long[] next = awaitTickAfter(last[0], Duration.ofSeconds(30));
		assertThat(next[1]).isNotEqualTo(last[1]);
		assertTicksConsistent();
	}

	@Test
	@Order(9)
	void stoppedLeaderIsKilledAsHungThenSucceeded() throws Exception {
		awaitTwoServing();
		long[] last = awaitFreshTick();
		long stoppedAt = System.nanoTime();
		Signals.send(last[1], "STOP");
		try {
			long[] next = awaitTickAfter(last[0], Duration.ofSeconds(30));
			long gapMillis = (System.nanoTime() - stoppedAt) / 1_000_000;
			System.out.println("SIGSTOP of the leader to the next leader's first tick: " + gapMillis + " ms");
			assertThat(next[1]).isNotEqualTo(last[1]);
			assertTicksConsistent();
		}
		finally {
			if (ProcessHandle.of(last[1]).map(ProcessHandle::isAlive).orElse(false)) {
				Signals.send(last[1], "CONT");
			}
		}
	}

	@Test
	@Order(10)
	void reloadHandsLeadershipOverWithoutOverlap() throws Exception {
		awaitTwoServing();
		long[] last = awaitFreshTick();
		List<Long> before = master.workerPids();
		master.signal("HUP");
		master.awaitLog(Pattern.compile("reload complete \\(SIGHUP\\)"), BOOT.multipliedBy(2));
		long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		long[] next = null;
		while (next == null && System.nanoTime() < end) {
			next = ticks().stream()
				.filter((tick) -> tick[0] > last[0] && !before.contains(tick[1]))
				.findFirst()
				.orElse(null);
			Thread.sleep(100);
		}
		assertThat(next).as("a tick from a new worker after the reload").isNotNull();
		assertTicksConsistent();
		// workers started after the level was set have it too, kept by the master
		assertEveryAnswerIsDebug();
		// replacements in the same slots know their peers
		for (int i = 0; i < 20; i++) {
			RawHttp.Response answer = RawHttp.get(master.port(), "/sample/ask/" + (1 + i % 2), HTTP);
			assertThat(answer.status()).as(answer.body()).isEqualTo(200);
		}
	}

	private static void awaitTwoServing() throws Exception {
		long end = System.nanoTime() + BOOT.toNanos();
		while (System.nanoTime() < end) {
			RawHttp.Response answer = RawHttp.get(master.port(), "/sample/ask/2", HTTP);
			RawHttp.Response other = RawHttp.get(master.port(), "/sample/ask/1", HTTP);
			if (answer.status() == 200 && other.status() == 200) {
				return;
			}
			Thread.sleep(500);
		}
		throw new AssertionError("two workers did not serve within " + BOOT);
	}

	/** Every epoch ticks from one pid, and epochs never go back in the shared output. */
	static void assertTicksConsistent() {
		Map<Long, Long> pidByEpoch = new HashMap<>();
		long previous = 0;
		for (long[] tick : ticks()) {
			Long known = pidByEpoch.putIfAbsent(tick[0], tick[1]);
			assertThat(known == null || known == tick[1])
				.as("epoch " + tick[0] + " ticked by pids " + known + " and " + tick[1])
				.isTrue();
			assertThat(tick[0]).as("epochs in the order of the output").isGreaterThanOrEqualTo(previous);
			previous = tick[0];
		}
		assertThat(pidByEpoch).isNotEmpty();
	}

	static List<long[]> ticks() {
		List<long[]> ticks = new ArrayList<>();
		Matcher matcher = TICK.matcher(master.log());
		while (matcher.find()) {
			ticks.add(new long[] { Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2)) });
		}
		return ticks;
	}

	private static long[] awaitFreshTick() throws InterruptedException {
		int count = ticks().size();
		long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (System.nanoTime() < end) {
			List<long[]> ticks = ticks();
			if (ticks.size() > count) {
				return ticks.get(ticks.size() - 1);
			}
			Thread.sleep(100);
		}
		throw new AssertionError("no leader tick within 30 s");
	}

	private static long[] awaitTickAfter(long epoch, Duration timeout) throws InterruptedException {
		long end = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < end) {
			for (long[] tick : ticks()) {
				if (tick[0] > epoch) {
					return tick;
				}
			}
			Thread.sleep(100);
		}
		throw new AssertionError("no tick of an epoch after " + epoch + " within " + timeout + "\n" + master.tail(40));
	}

	private static Map<Integer, String> awaitEachWorker(String path, java.util.function.Predicate<String> done)
			throws Exception {
		Map<Integer, String> byWorker = new LinkedHashMap<>();
		long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (System.nanoTime() < end && (byWorker.size() < 2 || !byWorker.values().stream().allMatch(done))) {
			RawHttp.Response response = RawHttp.get(master.port(), path, HTTP);
			if (response.status() == 200) {
				byWorker.put((int) number(response.body(), "worker"), response.body());
			}
		}
		assertThat(byWorker).as("answers from each worker").hasSize(2);
		return byWorker;
	}

	static long number(String body, String field) {
		Matcher matcher = Pattern.compile("\"" + field + "\":(\\d+)").matcher(body);
		assertThat(matcher.find()).as(field + " in " + body).isTrue();
		return Long.parseLong(matcher.group(1));
	}

	private static RawHttp.Response post(String path) throws Exception {
		return RawHttp.post(master.port(), path, "", HTTP);
	}

}
