package io.jproc.sample;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import io.jproc.sample.support.MasterProcess;
import io.jproc.sample.support.RawHttp;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 21, "health and scrapes cost the loop nothing per request", on real processes: a
 * 2-worker pool flooded by 64 concurrent clients (a new connection per request, as probes
 * make) on {@code /actuator/health} for 20 s, then by 16 on {@code /actuator/prometheus}
 * while health is still probed, then by 12 each asking for series of its own, past the
 * bound of different scrapes at once. Probes stay UP (200), scrapes are 200 or 503 with
 * {@code Retry-After}, no request hangs (every client wait is bounded), no worker is
 * replaced, the heartbeats stay well within their timeout; and the master's own counters
 * ({@code master.queries} in {@code /actuator/workers}) show that the floods reached it
 * as a trickle: before, every probe and every scrape was one event on the master's loop.
 */
class HealthFloodIT {

	private static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(8);

	private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(5);

	private static final Duration HEALTH_FLOOD = Duration.ofSeconds(20);

	private static final Duration SCRAPE_FLOOD = Duration.ofSeconds(12);

	private static final Duration NAMED_FLOOD = Duration.ofSeconds(5);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	void floodsOfProbesAndScrapesCostTheMasterATrickleAndHarmNoWorker() throws Exception {
		try (MasterProcess master = MasterProcess.startPool("health-flood", 2, "--jproc.heartbeat.interval=500ms",
				"--jproc.heartbeat.timeout=" + HEARTBEAT_TIMEOUT.toSeconds() + "s",
				"--management.endpoint.health.show-details=always")) {
			int client = master.port();
			String base = "";
			Pool before = pool(client, base);
			assertThat(before.workerPids()).hasSize(2);
			Monitor monitor = new Monitor(client, base);
			// Health reads a pool status at most jproc.health.max-age (1 s) old, and one
			// of a pool still booting at most 100 ms old: it may say DOWN that long after
			// the workers are ready. The flood starts once every worker's probe has seen
			// the ready pool.
			long upBy = System.nanoTime() + Duration.ofSeconds(30).toNanos();
			int upInARow = 0;
			while (upInARow < 8) {
				assertThat(System.nanoTime()).as("health UP within 30 s of the pool being ready").isLessThan(upBy);
				RawHttp.Response probe = RawHttp.get(client, base + "/actuator/health", CLIENT_TIMEOUT);
				upInARow = (probe.status() == 200) ? upInARow + 1 : 0;
				Thread.sleep(100);
			}

			// Health: 64 connections for 20 s.
			Pool healthStart = pool(client, base);
			Flood health = Flood.run(client, 64, HEALTH_FLOOD, (i) -> base + "/actuator/health",
					(response) -> response.status() == 200 && "UP".equals(status(response)), monitor);
			Pool healthEnd = pool(client, base);
			long statusQueries = healthEnd.statusQueries() - healthStart.statusQueries();
			// One shared status request per worker and per jproc.health.max-age (1 s),
			// plus the monitor's own polls and a margin; before, one per probe.
			long allowedStatusQueries = 3 * (HEALTH_FLOOD.toSeconds() + 5) + monitor.requests();
			System.out.println("health flood: " + health.summary() + "; status requests at the master: " + statusQueries
					+ " (" + monitor.requests() + " of them /actuator/workers polls); largest " + "heartbeat age "
					+ monitor.largestHeartbeatAge() + " ms");

			// Scrapes: 16 connections for 12 s, with health still probed by 8.
			Pool scrapeStart = pool(client, base);
			long monitorBefore = monitor.requests();
			ExecutorService background = Executors.newSingleThreadExecutor();
			try {
				Future<Flood> probes = background.submit(() -> Flood.run(client, 8, SCRAPE_FLOOD,
						(i) -> base + "/actuator/health", (response) -> response.status() == 200, null));
				Flood scrapes = Flood.run(client, 16, SCRAPE_FLOOD, (i) -> base + "/actuator/prometheus",
						HealthFloodIT::scrapeOrRetryLater, monitor);
				Flood probesDuringScrapes = probes.get(SCRAPE_FLOOD.toSeconds() + 30, TimeUnit.SECONDS);
				Pool scrapeEnd = pool(client, base);
				long scrapeQueries = scrapeEnd.scrapeQueries() - scrapeStart.scrapeQueries();
				long scrapeStatusQueries = scrapeEnd.statusQueries() - scrapeStart.statusQueries();
				System.out.println("scrape flood: " + scrapes.summary() + "; pool scrapes at the master: "
						+ scrapeQueries + ", status requests " + scrapeStatusQueries + "; health meanwhile: "
						+ probesDuringScrapes.summary() + "; largest heartbeat age " + monitor.largestHeartbeatAge()
						+ " ms");

				// 24 connections for 5 s, each asking for series of its own: more
				// different scrapes than a worker gathers at once (4).
				Pool namedStart = pool(client, base);
				Flood named = Flood.run(client, 24, NAMED_FLOOD,
						(i) -> base + "/actuator/prometheus?includedNames=jvm_threads_live_threads,own_" + i,
						HealthFloodIT::scrapeOrRetryLater, monitor);
				long namedQueries = pool(client, base).scrapeQueries() - namedStart.scrapeQueries();
				System.out
					.println("different scrapes: " + named.summary() + "; pool scrapes at the master: " + namedQueries);

				assertThat(health.failures()).as("health answers other than 200 UP, or none within " + CLIENT_TIMEOUT)
					.isEmpty();
				assertThat(health.ok()).as("health answers in " + HEALTH_FLOOD).isGreaterThan(1000);
				assertThat(statusQueries).as("status requests reaching the master during " + health.ok() + " probes")
					.isLessThanOrEqualTo(allowedStatusQueries);

				assertThat(scrapes.failures())
					.as("scrape answers other than 200 or 503 with Retry-After, or none within " + CLIENT_TIMEOUT)
					.isEmpty();
				assertThat(scrapes.count(200)).as("scrapes answered 200").isGreaterThan(20);
				assertThat(scrapeQueries)
					.as("pool scrapes reaching the master for " + scrapes.count(200)
							+ " answered scrapes: concurrent ones share a gathering")
					.isLessThan(scrapes.count(200) / 2);
				assertThat(probesDuringScrapes.failures()).as("health during the scrape flood").isEmpty();
				assertThat(scrapeStatusQueries).isLessThanOrEqualTo(
						3 * (SCRAPE_FLOOD.toSeconds() + 5) + (monitor.requests() - monitorBefore) + scrapeQueries);
				assertThat(named.failures())
					.as("scrape answers other than 200 or 503 with Retry-After, or none within " + CLIENT_TIMEOUT)
					.isEmpty();
				assertThat(named.count(200)).as("different scrapes answered 200").isPositive();
				// Whether any is past the bound (a 503 with Retry-After) depends on how
				// long
				// the gatherings take on this machine: with the lean master and the
				// balance
				// none was in two runs. The bound itself is tested where it can be made
				// certain: SharedScrapesTests and
				// PoolPrometheusScrapeEndpointExtensionTests.
			}
			finally {
				background.shutdownNow();
				background.awaitTermination(40, TimeUnit.SECONDS);
			}

			assertThat(monitor.failures()).as("/actuator/workers during the floods").isEmpty();
			assertThat(monitor.largestHeartbeatAge()).as("largest heartbeat age seen (ms)")
				.isLessThan(HEARTBEAT_TIMEOUT.toMillis() / 2);
			Pool after = pool(client, base);
			assertThat(after.workerPids()).as("no worker replaced").isEqualTo(before.workerPids());
			assertThat(after.restarts()).isZero();
			assertThat(master.count(Pattern.compile("is hung"))).as("hung workers in the master's log").isZero();
		}
	}

	private static boolean scrapeOrRetryLater(Answer response) {
		return (response.status() == 200 && response.body().contains("jproc_pool_scrape_success{worker="))
				|| (response.status() == 503 && "1".equals(response.header("Retry-After")));
	}

	private static String status(Answer response) {
		try {
			return JSON.readTree(response.body()).path("status").asString("");
		}
		catch (RuntimeException ex) {
			return "unreadable";
		}
	}

	private static Pool pool(int port, String base) throws IOException, InterruptedException {
		Answer response = Answer.get(port, base + "/actuator/workers");
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		return new Pool(JSON.readTree(response.body()));
	}

	/**
	 * One response, headers included, to a GET on a new connection: connect and every
	 * read bounded by {@link #CLIENT_TIMEOUT}.
	 *
	 * @param status the status code
	 * @param headers the headers, names in lower case
	 * @param body the body
	 * @param millis how long it took
	 */
	private record Answer(int status, Map<String, String> headers, String body, long millis) {

		static Answer get(int port, String path) throws IOException {
			long start = System.nanoTime();
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", port), (int) CLIENT_TIMEOUT.toMillis());
				socket.setSoTimeout((int) CLIENT_TIMEOUT.toMillis());
				OutputStream out = socket.getOutputStream();
				out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
					.getBytes(StandardCharsets.ISO_8859_1));
				out.flush();
				long deadline = start + CLIENT_TIMEOUT.toNanos();
				InputStream in = socket.getInputStream();
				ByteArrayOutputStream all = new ByteArrayOutputStream();
				byte[] buffer = new byte[16384];
				int read;
				while ((read = in.read(buffer)) >= 0) {
					all.write(buffer, 0, read);
					if (System.nanoTime() > deadline) {
						throw new SocketTimeoutException("response not complete within " + CLIENT_TIMEOUT);
					}
				}
				String text = all.toString(StandardCharsets.UTF_8);
				int split = text.indexOf("\r\n\r\n");
				if (!text.startsWith("HTTP/1.1 ") || split < 0) {
					throw new IOException("not an HTTP response: '" + text + "'");
				}
				String[] head = text.substring(0, split).split("\r\n");
				Map<String, String> headers = new TreeMap<>();
				for (int i = 1; i < head.length; i++) {
					int colon = head[i].indexOf(':');
					headers.put(head[i].substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT),
							head[i].substring(colon + 1).trim());
				}
				String body = text.substring(split + 4);
				if ("chunked".equals(headers.get("transfer-encoding"))) {
					body = new io.jproc.sample.support.RawHttp.Response(200, body).unchunked();
				}
				return new Answer(Integer.parseInt(head[0].substring(9, 12)), headers, body,
						TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
			}
		}

		String header(String name) {
			return this.headers.getOrDefault(name.toLowerCase(java.util.Locale.ROOT), "");
		}

	}

	private record Pool(JsonNode json) {

		List<Long> workerPids() {
			List<Long> pids = new ArrayList<>();
			this.json.get("workers").forEach((worker) -> pids.add(worker.path("pid").asLong(-1)));
			return pids;
		}

		int restarts() {
			int restarts = 0;
			for (JsonNode worker : this.json.get("workers")) {
				restarts += worker.path("restarts").asInt();
			}
			return restarts;
		}

		long heartbeatAge() {
			long age = -1;
			for (JsonNode worker : this.json.get("workers")) {
				age = Math.max(age, worker.path("heartbeatAgeMillis").asLong(-1));
			}
			return age;
		}

		long statusQueries() {
			return this.json.path("master").path("queries").path("status").asLong(-1);
		}

		long scrapeQueries() {
			return this.json.path("master").path("queries").path("scrapes").asLong(-1);
		}

	}

	/**
	 * Polls {@code /actuator/workers} every 500 ms while a flood runs: the heartbeat
	 * ages.
	 */
	private static final class Monitor {

		private final int client;

		private final String base;

		private final AtomicLong requests = new AtomicLong();

		private final AtomicLong largestHeartbeatAge = new AtomicLong(-1);

		private final List<String> failures = new CopyOnWriteArrayList<>();

		Monitor(int client, String base) {
			this.client = client;
			this.base = base;
		}

		void poll(long deadline) {
			while (System.nanoTime() < deadline) {
				this.requests.incrementAndGet();
				try {
					Pool pool = pool(this.client, this.base);
					this.largestHeartbeatAge.accumulateAndGet(pool.heartbeatAge(), Math::max);
				}
				catch (IOException | AssertionError ex) {
					this.failures.add(ex.toString());
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
				try {
					Thread.sleep(500);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
			}
		}

		long requests() {
			return this.requests.get();
		}

		long largestHeartbeatAge() {
			return this.largestHeartbeatAge.get();
		}

		List<String> failures() {
			return this.failures;
		}

	}

	/**
	 * Clients that each send one request after another, each on a new connection, until a
	 * deadline, every wait bounded by {@link #CLIENT_TIMEOUT}.
	 */
	private static final class Flood {

		private final AtomicLong ok = new AtomicLong();

		private final Map<Integer, AtomicLong> byStatus = new ConcurrentHashMap<>();

		private final List<String> failures = new CopyOnWriteArrayList<>();

		private final AtomicLong slowest = new AtomicLong();

		private final AtomicLong overASecond = new AtomicLong();

		private long millis;

		static Flood run(int client, int clients, Duration length, IntFunction<String> url, Predicate<Answer> good,
				Monitor monitor) throws InterruptedException {
			Flood flood = new Flood();
			long start = System.nanoTime();
			long deadline = start + length.toNanos();
			ExecutorService threads = Executors.newFixedThreadPool(clients + 1);
			try {
				if (monitor != null) {
					threads.execute(() -> monitor.poll(deadline));
				}
				for (int i = 0; i < clients; i++) {
					int index = i;
					threads.execute(() -> flood.loop(client, url.apply(index), good, deadline));
				}
			}
			finally {
				threads.shutdown();
				if (!threads.awaitTermination(length.toSeconds() + 2 * CLIENT_TIMEOUT.toSeconds() + 10,
						TimeUnit.SECONDS)) {
					threads.shutdownNow();
					flood.failures.add("clients still running after the flood's deadline");
				}
			}
			flood.millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
			return flood;
		}

		private void loop(int port, String path, Predicate<Answer> good, long deadline) {
			while (System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
				try {
					Answer response = Answer.get(port, path);
					this.byStatus.computeIfAbsent(response.status(), (status) -> new AtomicLong()).incrementAndGet();
					this.slowest.accumulateAndGet(response.millis(), Math::max);
					if (response.millis() > 1000) {
						this.overASecond.incrementAndGet();
					}
					if (good.test(response)) {
						this.ok.incrementAndGet();
					}
					else if (this.failures.size() < 20) {
						this.failures.add(
								"HTTP " + response.status() + " " + response.headers() + ": "
										+ response.body()
											.substring(Math.max(0, response.body().indexOf("\"workers\"")), Math.min(
													response.body().length(),
													Math.max(0, response.body().indexOf("\"workers\"")) + 600)));
					}
				}
				catch (IOException ex) {
					if (this.failures.size() < 20) {
						this.failures.add(ex.toString());
					}
				}
			}
		}

		long ok() {
			return this.ok.get();
		}

		long count(int status) {
			AtomicLong count = this.byStatus.get(status);
			return (count != null) ? count.get() : 0;
		}

		List<String> failures() {
			return this.failures;
		}

		String summary() {
			Map<Integer, Long> statuses = new TreeMap<>();
			this.byStatus.forEach((status, count) -> statuses.put(status, count.get()));
			long answers = statuses.values().stream().mapToLong(Long::longValue).sum();
			return answers + " answers in " + this.millis + " ms (" + (answers * 1000 / Math.max(1, this.millis))
					+ "/s), by status " + statuses + ", slowest " + this.slowest.get() + " ms, "
					+ this.overASecond.get() + " over 1 s, " + this.failures.size() + " failures";
		}

	}

}
