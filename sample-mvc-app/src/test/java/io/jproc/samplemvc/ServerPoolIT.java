package io.jproc.samplemvc;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.jproc.sample.support.EventStream;
import io.jproc.sample.support.Load;
import io.jproc.sample.support.MasterProcess;
import io.jproc.sample.support.RawHttp;
import io.jproc.sample.support.Signals;
import io.jproc.sample.support.Sockets;
import io.jproc.sample.support.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The behaviours that depend on the web server, run on one pool per server (one subclass
 * per server and jar): workers answer on the master's sockets and bind none of their own,
 * the warm-up drives the application through the server's loopback, kept-alive
 * connections spread over the workers ({@code jproc.balance.*}), a spare takes over after
 * {@code kill -9}, a rolling reload under load fails no request, ends the event streams
 * of the leaving workers cleanly and closes their WebSockets with 1001 soon after their
 * long-lived grace, and a pool shutdown refuses new connections at once while it finishes
 * the request in flight. One pool per class (two workers, one spare, a management port),
 * ended by the sixth test; the seventh starts a master of one worker under
 * {@code systemd-socket-activate}, the last one a master of one worker serving TLS (and
 * HTTP/2 where the app has it) on the inherited socket.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class ServerPoolIT {

	private static final Duration BOUND = Duration.ofSeconds(10);

	private static final Pattern SPARE_READY = Pattern.compile("spare #(\\d+) \\(pid (\\d+)\\) ready in");

	private static final Pattern FIRST_PID = Pattern.compile("\"pid\":(\\d+)");

	/** The default {@code jproc.long-lived-grace}. */
	private static final Duration GRACE = Duration.ofSeconds(1);

	/** How long an event stream may take to end: a bound past the drain timeout. */
	private static final Duration ENDING = Duration.ofSeconds(30);

	private static final Pattern LEAVING = Pattern
		.compile(" (\\d+) --- .*worker \\d+ has \\d+ long-lived connections .*telling them to go away");

	private static final HttpClient client = HttpClient.newHttpClient();

	private MasterProcess master;

	/**
	 * The application jar of this server.
	 * @return the jar
	 */
	abstract Path jar();

	/**
	 * The server's name, for log files and output.
	 * @return the name
	 */
	abstract String server();

	/**
	 * The route that answers after {@code ms} milliseconds.
	 * @return the path, without the query
	 */
	String slowPath() {
		return "/slow";
	}

	static Path jarFrom(String property) {
		Path jar = Path.of(System.getProperty(property, "missing"));
		if (!Files.isRegularFile(jar)) {
			throw new IllegalStateException(
					property + " names no jar (" + jar.toAbsolutePath() + "): run 'mvn verify'");
		}
		return jar;
	}

	@BeforeAll
	void startPool() throws Exception {
		this.master = MasterProcess.startJar("server-pool-" + server(), jar(), List.of(), "--jproc.workers=2",
				"--jproc.spare-workers=1", "--management.server.port=0", "--jproc.warmup.requests=50",
				"--jproc.drain-timeout=10s");
		try {
			this.master.awaitAllReady(2, Duration.ofSeconds(120));
		}
		catch (RuntimeException | AssertionError ex) {
			this.master.close();
			throw ex;
		}
	}

	@AfterAll
	void stopPool() {
		MasterProcess.closeShared(this.master);
	}

	@Test
	@Order(1)
	void workersAnswerOnTheMastersSocketsAndBindNoneOfTheirOwn() throws Exception {
		long spare = spareReady(1);
		List<Long> processes = this.master.awaitWorkerCount(3, BOUND);
		Set<Long> servedBy = new HashSet<>();
		for (int i = 0; i < 200; i++) {
			RawHttp.Response response = RawHttp.get(this.master.port(), "/", BOUND);
			assertThat(response.status()).isEqualTo(200);
			servedBy.add(response.pid());
		}
		assertThat(servedBy).as("pids that served 200 requests").hasSize(2).isSubsetOf(processes).doesNotContain(spare);
		Set<Long> shared = Sockets.listeningSocketsOf(this.master.pid());
		assertThat(shared).as("the master's listening sockets (server and management)").hasSize(2);
		for (long process : processes) {
			assertThat(Sockets.listeningSocketsOf(process)).as("listening sockets of " + process).isEqualTo(shared);
		}
		assertThat(this.master.count(Pattern.compile("(worker [12]|spare #\\d+) warmed up: 50 requests to \\[/\\]")))
			.as("workers and spare warmed up through the server's loopback")
			.isEqualTo(3);
	}

	@Test
	@Order(2)
	void managementPortIsServedFromItsOwnInheritedSocket() throws Exception {
		int management = this.master.managementPort();
		assertThat(management).isNotEqualTo(this.master.port());
		long upBy = System.nanoTime() + BOUND.toNanos();
		while (RawHttp.get(management, "/actuator/health", BOUND).status() != 200) {
			assertThat(System.nanoTime()).as("health UP within 10 s").isLessThan(upBy);
			Thread.sleep(100);
		}
		assertThat(RawHttp.get(this.master.port(), "/actuator/health", BOUND).status())
			.as("actuator is not on the application port")
			.isEqualTo(404);
		// The pool's endpoints answer as on WebFlux: their statuses and bodies, not a
		// JSON rendering of a Mono (Spring MVC's endpoint adapter does not unwrap one).
		RawHttp.Response unknown = RawHttp.get(management, "/actuator/workers/9", BOUND);
		assertThat(unknown.status()).as("an unknown worker id").isEqualTo(404);
		assertThat(unknown.body()).contains("\"error\":\"no worker 9").doesNotContain("\"body\"");
		RawHttp.Response pool = RawHttp.get(management, "/actuator/workers", BOUND);
		assertThat(pool.status()).isEqualTo(200);
		assertThat(pool.body()).contains("\"workersWanted\":2").doesNotContain("\"body\"");
		RawHttp.Response scrape = RawHttp.get(management, "/actuator/prometheus", BOUND);
		assertThat(scrape.status()).as("the pool's Prometheus scrape").isEqualTo(200);
		assertThat(scrape.body()).as("series of both workers")
			.containsPattern("jvm_threads_live_threads\\{[^}]*worker=\"1\"")
			.containsPattern("jvm_threads_live_threads\\{[^}]*worker=\"2\"");
	}

	@Test
	@Order(3)
	void keptAliveConnectionsSpreadOverTheWorkers() throws Exception {
		spareReady(1);
		List<Long> workers = workerPids();
		long first = workers.get(0);
		long second = workers.get(1);
		List<Socket> sockets = new ArrayList<>();
		Map<Long, Integer> perWorker = new TreeMap<>();
		workers.forEach((pid) -> perWorker.put(pid, 0));
		try {
			// While the second worker is stopped, the first takes every connection: the
			// imbalance an idle pool produces by itself, made certain.
			Signals.send(second, "STOP");
			try {
				for (int i = 0; i < 10; i++) {
					perWorker.merge(keepAlive(sockets), 1, Integer::sum);
				}
			}
			finally {
				Signals.send(second, "CONT");
			}
			assertThat(perWorker.get(first)).as("connections per worker while the second was stopped " + perWorker)
				.isEqualTo(10);
			Thread.sleep(1_500);
			for (int i = 0; i < 10; i++) {
				perWorker.merge(keepAlive(sockets), 1, Integer::sum);
				Thread.sleep(10);
			}
			// jproc.balance.max-excess is 2: the first worker, 10 above, stops accepting
			// until the second is within 1 of it. Without the balance the second batch
			// splits about evenly (15 against 5).
			System.out.println(server() + ": kept-alive connections per worker " + perWorker);
			assertThat(Math.abs(perWorker.get(first) - perWorker.get(second)))
				.as("kept-alive connections per worker " + perWorker)
				.isLessThanOrEqualTo(4);
		}
		finally {
			Signals.trySend(second, "CONT");
			for (Socket socket : sockets) {
				socket.close();
			}
		}
	}

	/**
	 * Open a connection, ask for {@code /} with keep-alive and leave it open.
	 * @param sockets where the open connection is added
	 * @return the pid that answered
	 */
	private long keepAlive(List<Socket> sockets) throws IOException {
		Socket socket = new Socket();
		sockets.add(socket);
		socket.connect(new InetSocketAddress("127.0.0.1", this.master.port()), (int) BOUND.toMillis());
		socket.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
		socket.getOutputStream()
			.write("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n"
				.getBytes(StandardCharsets.US_ASCII));
		socket.getOutputStream().flush();
		StringBuilder read = new StringBuilder();
		byte[] buffer = new byte[1024];
		while (true) {
			Matcher pid = FIRST_PID.matcher(read);
			if (pid.find() && read.indexOf("}", pid.end()) >= 0) {
				return Long.parseLong(pid.group(1));
			}
			int count = socket.getInputStream().read(buffer);
			assertThat(count).as("response on a kept-alive connection, so far: " + read).isPositive();
			read.append(new String(buffer, 0, count, StandardCharsets.US_ASCII));
		}
	}

	@Test
	@Order(4)
	void spareTakesTheSlotOfAKilledWorkerAtOnce() throws Exception {
		long spare = spareReady(1);
		long killed = firstWorkerPid();
		try (Load load = Load.start(this.master.port(), "/", 2, Duration.ofSeconds(60))) {
			load.awaitMore(100, Duration.ofSeconds(30));
			long killedAt = System.nanoTime();
			Signals.send(killed, "KILL");
			long servedAfter = -1;
			while (System.nanoTime() < killedAt + Duration.ofSeconds(20).toNanos()) {
				RawHttp.Response response = RawHttp.get(this.master.port(), "/", BOUND);
				if (response.pid() == spare) {
					servedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
					assertThat(response.worker()).as("the spare answers as worker 1").isEqualTo(1);
					break;
				}
			}
			assertThat(servedAfter).as("ms from kill -9 to the spare's first answer").isNotNegative();
			System.out.println(server() + ": spare served " + servedAfter + " ms after kill -9 of worker 1");
			load.awaitMore(100, Duration.ofSeconds(30));
			assertThat(load.failures()).as("requests failed around the kill (at most those in flight)")
				.hasSizeLessThanOrEqualTo(2);
		}
		this.master.awaitLog(
				Pattern.compile("worker 1: spare #\\d+ \\(pid " + spare + "\\) takes the slot \\(crash\\)"), BOUND);
		spareReady(2);
	}

	@Test
	@Order(5)
	void rollingReloadUnderLoadFailsNoRequestEndsEventStreamsCleanlyAndSendsWebSocketsAway() throws Exception {
		List<Long> before = this.master.awaitWorkerCount(3, BOUND);
		List<EventStream> streams = new ArrayList<>();
		List<WebSocketClient> sockets = new ArrayList<>();
		Map<Long, Long> leavingSeen = new ConcurrentHashMap<>();
		AtomicBoolean watching = new AtomicBoolean(true);
		Thread watcher = new Thread(() -> {
			while (watching.get()) {
				Matcher matcher = LEAVING.matcher(this.master.log());
				while (matcher.find()) {
					leavingSeen.putIfAbsent(Long.parseLong(matcher.group(1)), System.nanoTime());
				}
				sleep(25);
			}
		}, "leaving-watcher");
		long startedAt = System.nanoTime();
		try (Load load = Load.start(this.master.port(), "/", 2, Duration.ofSeconds(240))) {
			for (int i = 0; i < 2; i++) {
				streams.add(EventStream.open(client, this.master.port()));
				sockets.add(WebSocketClient.open(client, this.master.port()));
			}
			for (WebSocketClient socket : sockets) {
				assertThat(socket.echo("hello")).as("echo of the WebSocket on " + socket.pid()).isEqualTo("echo hello");
			}
			watcher.start();
			load.awaitMore(50, Duration.ofSeconds(30));
			this.master.signal("HUP");
			this.master.awaitLog(Pattern.compile("reload complete \\(SIGHUP\\): 2 workers replaced"),
					Duration.ofSeconds(200));
			load.awaitMore(100, Duration.ofSeconds(30));
			load.close();
			System.out.println(server() + ": reload under load: " + load.ok() + " requests, " + load.failures().size()
					+ " failed, " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedAt) + " s");
			assertThat(load.failures()).as("failed requests across the reload").isEmpty();
			for (EventStream stream : streams) {
				assertThat(before).as("event streams are held by the workers before the reload").contains(stream.pid());
				assertThat(stream.ending(ENDING)).as("how the event stream on " + stream.pid() + " ended")
					.isEqualTo("clean end");
				assertThat(leavingSeen).as("worker " + stream.pid() + " logged that it sends its connections away")
					.containsKey(stream.pid());
				Duration ended = Duration.ofNanos(stream.endedAt() - leavingSeen.get(stream.pid()));
				System.out.println(server() + ": event stream on " + stream.pid() + " ended " + ended.toMillis()
						+ " ms after the worker's leaving line");
				assertThat(ended).as("from the worker's leaving line to the end of the stream")
					.isLessThan(GRACE.plus(BOUND));
			}
			for (WebSocketClient socket : sockets) {
				assertThat(before).as("WebSockets are held by the workers before the reload").contains(socket.pid());
				assertThat(socket.closeCode()).as("close code of the WebSocket on " + socket.pid()).isEqualTo(1001);
				assertThat(leavingSeen).as("worker " + socket.pid() + " logged that it sends its connections away")
					.containsKey(socket.pid());
				Duration closed = Duration.ofNanos(socket.closedAt() - leavingSeen.get(socket.pid()));
				System.out.println(server() + ": WebSocket on " + socket.pid() + " closed with 1001 "
						+ closed.toMillis() + " ms after the worker's leaving line");
				assertThat(closed).as("from the worker's leaving line to the close frame")
					.isLessThan(GRACE.plus(BOUND));
			}
		}
		finally {
			watching.set(false);
			watcher.join(5_000);
			streams.forEach(EventStream::abort);
			sockets.forEach(WebSocketClient::abort);
		}
		List<Long> after = this.master.awaitWorkerCount(3, Duration.ofSeconds(30));
		assertThat(after).as("workers and spare after the reload").doesNotContainAnyElementsOf(before);
		assertThat(this.master.count(Pattern.compile("worker \\d drained, exiting")))
			.as("both replaced workers drained and said so")
			.isGreaterThanOrEqualTo(2);
	}

	@Test
	@Order(6)
	void shutdownRefusesNewConnectionsAtOnceAndFinishesTheRequestInFlight() throws Exception {
		int port = this.master.port();
		try (RawHttp.Pending slow = RawHttp.send(port, slowPath() + "?ms=6000", Duration.ofSeconds(30))) {
			Thread.sleep(700);
			long termAt = System.nanoTime();
			this.master.signal("TERM");
			long refusedAt = -1;
			while (System.nanoTime() < termAt + TimeUnit.SECONDS.toNanos(4)) {
				boolean refused = refused(port);
				if (refused && refusedAt < 0) {
					refusedAt = System.nanoTime();
				}
				else if (!refused && refusedAt > 0) {
					throw new AssertionError("a connection was accepted again after the first refusal");
				}
				Thread.sleep(20);
			}
			assertThat(refusedAt).as("a new connection refused within 4 s of SIGTERM").isPositive();
			long refusedAfter = TimeUnit.NANOSECONDS.toMillis(refusedAt - termAt);
			System.out.println(server() + ": new connections refused " + refusedAfter + " ms after SIGTERM");
			assertThat(refusedAfter).as("ms from SIGTERM to refusal").isLessThan(1500);
			assertThat(slow.response().status()).as("the request in flight at SIGTERM").isEqualTo(200);
		}
		assertThat(this.master.awaitExit(Duration.ofSeconds(40))).isZero();
		this.master.awaitLog(Pattern.compile("shutdown complete"), Duration.ofSeconds(5));
		assertThat(this.master.log()).as("no acceptor errors on the shut down socket")
			.doesNotContain("Socket accept failed");
	}

	@Test
	@Order(7)
	void socketActivationServesTheSocketsSystemdPassedByName() throws Exception {
		Path activate = Path.of("/usr/bin/systemd-socket-activate");
		org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(activate),
				"systemd-socket-activate (package systemd) is not installed");
		int server = freePort();
		int management = freePort();
		Path log = Path.of("target", "it-logs", "socket-activation-" + server() + ".log");
		Files.createDirectories(log.getParent());
		List<String> command = new java.util.ArrayList<>(List.of(activate.toString(), "-l", "127.0.0.1:" + management,
				"-l", "127.0.0.1:" + server, "--fdname=management:server",
				Path.of(System.getProperty("java.home"), "bin", "java").toString()));
		command.addAll(MasterProcess.FAST_JVM);
		command.addAll(List.of("-jar", jar().toAbsolutePath().toString(), "--server.address=127.0.0.1",
				"--management.server.port=" + freePort(), "--jproc.workers=1", "--jproc.boot-cache.enabled=false"));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		try {
			awaitFile(log, Pattern.compile("Listening on 127.0.0.1:" + server), BOUND);
			// systemd-socket-activate starts the master on the first connection.
			try (RawHttp.Pending first = RawHttp.send(server, "/", Duration.ofSeconds(120))) {
				awaitFile(log, Pattern.compile("all 1 workers ready"), Duration.ofSeconds(120));
				assertThat(first.response().status()).isEqualTo(200);
			}
			RawHttp.Response workers = RawHttp.get(management, "/actuator/workers", BOUND);
			assertThat(workers.status()).isEqualTo(200);
			assertThat(workers.body())
				.contains("{\"name\":\"server\",\"address\":\"127.0.0.1:" + server + "\",\"source\":\"systemd\"}");
			long master = process.pid();
			Set<Long> shared = Sockets.listeningSocketsOf(master);
			assertThat(shared).as("the sockets systemd passed").hasSize(2);
			for (ProcessHandle worker : ProcessHandle.of(master).orElseThrow().children().toList()) {
				assertThat(Sockets.listeningSocketsOf(worker.pid())).as("listening sockets of worker " + worker.pid())
					.isEqualTo(shared);
			}
		}
		finally {
			io.jproc.sample.support.Processes.killTree(process);
		}
	}

	@Test
	@Order(8)
	void tlsIsServedOnTheInheritedSocket() throws Exception {
		Path keyStore = Path.of("target", "it-logs", "tls-" + server() + ".p12").toAbsolutePath();
		Files.createDirectories(keyStore.getParent());
		Files.deleteIfExists(keyStore);
		Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
				"-genkeypair", "-alias", "jproc", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
				"-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", "secret",
				"-keypass", "secret", "-ext", "san=ip:127.0.0.1")
			.redirectErrorStream(true)
			.start();
		assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).as("keytool ended").isTrue();
		assertThat(keytool.exitValue()).as("keytool's exit code").isZero();
		List<String> args = new ArrayList<>(
				List.of("--jproc.workers=1", "--jproc.boot-cache.enabled=false", "--server.ssl.key-store=" + keyStore,
						"--server.ssl.key-store-password=secret", "--server.ssl.key-store-type=PKCS12"));
		if (http2()) {
			args.add("--server.http2.enabled=true");
		}
		try (MasterProcess tls = MasterProcess.startJar("tls-" + server(), jar(), List.of(),
				args.toArray(String[]::new))) {
			tls.awaitAllReady(1, Duration.ofSeconds(120));
			java.security.KeyStore trusted = java.security.KeyStore.getInstance("PKCS12");
			try (java.io.InputStream in = Files.newInputStream(keyStore)) {
				trusted.load(in, "secret".toCharArray());
			}
			javax.net.ssl.TrustManagerFactory trust = javax.net.ssl.TrustManagerFactory
				.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
			trust.init(trusted);
			javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
			context.init(null, trust.getTrustManagers(), null);
			HttpClient https = HttpClient.newBuilder()
				.sslContext(context)
				.version(HttpClient.Version.HTTP_2)
				.connectTimeout(BOUND)
				.build();
			java.net.http.HttpResponse<String> response = https
				.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://127.0.0.1:" + tls.port() + "/"))
					.timeout(BOUND)
					.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.body()).as("answered by the worker").contains("\"pid\":" + tls.workerPids().get(0));
			assertThat(response.version()).as("the protocol ALPN chose")
				.isEqualTo(http2() ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1);
			assertThat(refused(tls.port())).as("the master's socket accepts").isFalse();
		}
	}

	/**
	 * Whether this server's app can serve HTTP/2 ({@code server.http2.enabled}): the
	 * Jetty jar has no {@code jetty-http2-server}.
	 * @return whether to enable it
	 */
	boolean http2() {
		return true;
	}

	private static int freePort() throws IOException {
		try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private static void awaitFile(Path file, Pattern pattern, Duration timeout) throws Exception {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			String text = Files.exists(file) ? Files.readString(file) : "";
			if (pattern.matcher(text).find()) {
				return;
			}
			if (System.nanoTime() > deadline) {
				throw new AssertionError("'" + pattern + "' not in " + file + " within " + timeout + "; tail:\n"
						+ text.substring(Math.max(0, text.length() - 3000)));
			}
			Thread.sleep(100);
		}
	}

	private long spareReady(int occurrence) {
		Matcher ready = this.master.awaitLog(SPARE_READY, occurrence, Duration.ofSeconds(120));
		return Long.parseLong(ready.group(2));
	}

	private long firstWorkerPid() throws IOException {
		return workerPid(1);
	}

	/** The pids of workers 1 and 2 (not the spare). */
	private List<Long> workerPids() throws IOException {
		return List.of(workerPid(1), workerPid(2));
	}

	private long workerPid(int worker) throws IOException {
		RawHttp.Response response = RawHttp.get(this.master.managementPort(), "/actuator/workers/" + worker, BOUND);
		assertThat(response.status()).isEqualTo(200);
		Matcher pid = FIRST_PID.matcher(response.unchunked());
		assertThat(pid.find()).as("pid in " + response.body()).isTrue();
		return Long.parseLong(pid.group(1));
	}

	/** Whether a new connection to the port is refused (not accepted, not timed out). */
	private static boolean refused(int port) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
			return false;
		}
		catch (ConnectException ex) {
			return true;
		}
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
