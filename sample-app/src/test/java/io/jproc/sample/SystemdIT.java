package io.jproc.sample;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.jproc.sample.support.Load;
import io.jproc.sample.support.MasterProcess;
import io.jproc.sample.support.NotifyListener;
import io.jproc.sample.support.Processes;
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
 * jproc under systemd's protocols, without systemd: {@code systemd-socket-activate} binds
 * the socket and passes it as fd 3, a small holder script keeps it open across master
 * restarts (as a {@code .socket} unit does), and the test plays the notify socket (an
 * abstract address) with a watchdog of 1 s. One pool of one worker is shared by the
 * tests, in order; the last one restarts the master under load.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SystemdIT {

	private static final Pattern ALL_READY = Pattern.compile("all 1 workers ready");

	private static Path dir;

	private static Process activate;

	private static NotifyListener notify;

	private static int port;

	private static int configuredPort;

	@BeforeAll
	static void start() throws Exception {
		Path activateCommand = Path.of("/usr/bin/systemd-socket-activate");
		assertThat(activateCommand).as("systemd-socket-activate (Debian package systemd; .ci/run installs it)")
			.isExecutable();
		dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "systemd-it");
		Path holder = dir.resolve("socket-holder.sh");
		Files.copy(Path.of("src/test/resources/socket-holder.sh"), holder);
		holder.toFile().setExecutable(true);
		port = freePort();
		configuredPort = freePort();
		notify = NotifyListener.abstractAddress("jproc-systemd-it-" + ProcessHandle.current().pid());
		List<String> command = new ArrayList<>(List.of(activateCommand.toString(), "-l", "127.0.0.1:" + port,
				"--fdname=server", "-E", "NOTIFY_SOCKET=" + notify.notifySocket(), "-E", "WATCHDOG_USEC=1000000",
				holder.toString(), dir.toString(), javaCommand()));
		command.addAll(MasterProcess.FAST_JVM);
		command.addAll(List.of("-Dio.jproc.test.stall-loop-on-usr2=4000", "-jar",
				Path.of(System.getProperty("sample.jar", "target/sample-app.jar")).toAbsolutePath().toString(),
				"--server.address=127.0.0.1", "--server.port=" + configuredPort, "--jproc.workers=1",
				// As in every other test but the boot cache's: no training run in the
				// user's cache directory, competing for the cores.
				"--jproc.boot-cache.enabled=false"));
		activate = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(dir.resolve("activate.log").toFile())
			.start();
		awaitFile(dir.resolve("activate.log"), Pattern.compile("Listening on"), Duration.ofSeconds(10));
		// systemd-socket-activate starts its child at the first connection, as systemd
		// does.
		try (RawHttp.Pending first = RawHttp.send(port, "/", Duration.ofSeconds(90))) {
			awaitFile(dir.resolve("master-1.log"), ALL_READY, Duration.ofSeconds(90));
			assertThat(first.response().status()).as("the request that started the service").isEqualTo(200);
		}
	}

	@AfterAll
	static void stop() throws Exception {
		if (dir != null) {
			Files.writeString(dir.resolve("stop"), "");
		}
		if (activate != null) {
			Processes.killTree(activate);
		}
		if (notify != null) {
			notify.close();
		}
	}

	@Test
	@Order(0)
	void readmeUnitsAreTheVerifiedOnes() throws Exception {
		String readme = Files.readString(Path.of("../README.md"));
		for (String unit : List.of("jproc.socket", "jproc.service")) {
			Path file = Path.of("../docs/systemd", unit).toAbsolutePath().normalize();
			assertThat(readme).as("README shows docs/systemd/" + unit).contains(Files.readString(file));
			Process verify = new ProcessBuilder("systemd-analyze", "verify", file.toString()).redirectErrorStream(true)
				.start();
			String output = new String(verify.getInputStream().readAllBytes());
			assertThat(verify.waitFor(30, TimeUnit.SECONDS)).isTrue();
			assertThat(output).as("systemd-analyze verify " + unit).isEmpty();
			assertThat(verify.exitValue()).isZero();
		}
		String service = Files.readString(Path.of("../docs/systemd/jproc.service"));
		// jproc.shutdown-timeout follows the drain: 30 s + 250 ms + 1 s + 2 s (long-lived
		// connections) + 5 s, then 5 s of
		// SIGKILL grace.
		assertThat(service).as("TimeoutStopSec covers the shutdown that follows the drain plus the 5 s kill grace")
			.contains("--jproc.drain-timeout=30s")
			.contains("TimeoutStopSec=45");
	}

	@Test
	@Order(1)
	void servesOnThePassedSocketAndBindsNothingElse() throws Exception {
		long master = masterPid(1);
		assertThat(RawHttp.get(port, "/", Duration.ofSeconds(10)).status()).isEqualTo(200);
		assertThat(Sockets.listeningSocketsOf(master)).as("listening sockets the master holds").hasSize(1);
		assertThat(Sockets.canBind(configuredPort)).as("server.port is informative only: nothing bound it").isTrue();
		String workers = RawHttp.get(port, "/actuator/workers", Duration.ofSeconds(10)).body();
		assertThat(workers).contains("\"source\":\"systemd\"").contains("\"name\":\"server\"");
		String log = Files.readString(dir.resolve("master-1.log"));
		assertThat(log).contains("socket activation: serving on the sockets systemd passed")
			.doesNotContain("LISTEN_FDS");
		long worker = ProcessHandle.of(master).orElseThrow().children().findFirst().orElseThrow().pid();
		String environment = Files.readString(Path.of("/proc", Long.toString(worker), "environ"));
		assertThat(environment).as("a worker's environment").doesNotContain("LISTEN_").doesNotContain("NOTIFY_SOCKET");
		notify.await((text) -> text.contains("READY=1"), 0, Duration.ofSeconds(5));
		assertThat(notify.received().stream().map(NotifyListener.Notification::text))
			.anyMatch((text) -> text.contains("STATUS=1/1 workers ready"));
	}

	@Test
	@Order(2)
	void reloadIsAnnouncedThenReadyAgain() throws Exception {
		int before = notify.received().size();
		Signals.send(masterPid(1), "HUP");
		int reloading = notify.await((text) -> text.startsWith("RELOADING=1"), before, Duration.ofSeconds(10));
		assertThat(notify.received().get(reloading).text()).containsPattern("MONOTONIC_USEC=\\d+");
		notify.await((text) -> text.contains("READY=1"), reloading + 1, Duration.ofSeconds(90));
		assertThat(RawHttp.get(port, "/", Duration.ofSeconds(10)).status()).isEqualTo(200);
	}

	@Test
	@Order(3)
	void watchdogStopsWhileTheLoopIsStuck() throws Exception {
		int before = notify.received().size();
		notify.await("WATCHDOG=1"::equals, before, Duration.ofSeconds(5));
		long stalledAt = System.nanoTime();
		Signals.send(masterPid(1), "USR2");
		Thread.sleep(6000);
		List<Long> watchdogs = notify.received()
			.stream()
			.filter((notification) -> notification.text().equals("WATCHDOG=1") && notification.nanoTime() > stalledAt)
			.map(NotifyListener.Notification::nanoTime)
			.toList();
		long longestGap = 0;
		long previous = stalledAt;
		for (long at : watchdogs) {
			longestGap = Math.max(longestGap, at - previous);
			previous = at;
		}
		System.out.println("watchdog: longest gap " + TimeUnit.NANOSECONDS.toMillis(longestGap)
				+ " ms across a 4 s stall; " + watchdogs.size() + " keep-alives in 6 s");
		assertThat(TimeUnit.NANOSECONDS.toMillis(longestGap)).as("longest gap between WATCHDOG=1 (ms)")
			.isGreaterThan(3000);
		assertThat(watchdogs).as("keep-alives once the loop runs again").hasSizeGreaterThanOrEqualTo(2);
	}

	@Test
	@Order(4)
	void masterRestartOnTheHeldSocketLosesNoRequest() throws Exception {
		long first = masterPid(1);
		int before = notify.received().size();
		try (Load load = Load.start(port, "/", 2, Duration.ofSeconds(120))) {
			load.awaitMore(50, Duration.ofSeconds(20));
			long stoppedAt = System.nanoTime();
			Signals.send(first, "TERM");
			int stopping = notify.await((text) -> text.startsWith("STOPPING=1"), before, Duration.ofSeconds(5));
			awaitFile(dir.resolve("master-2.log"), ALL_READY, Duration.ofSeconds(90));
			long readyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
			notify.await((text) -> text.contains("READY=1"), stopping + 1, Duration.ofSeconds(5));
			load.awaitMore(200, Duration.ofSeconds(30));
			load.close();
			System.out.println("master restart on a held socket: " + load.ok() + " requests, " + load.failures().size()
					+ " failed; new master ready " + readyMillis + " ms after SIGTERM");
			assertThat(load.failures()).as("requests failed across the master restart").isEmpty();
		}
		assertThat(ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false)).isFalse();
		assertThat(Files.readString(dir.resolve("master-1.log"))).contains("shutdown complete");
	}

	@Test
	@Order(5)
	void datagramSocketIsAClearStartUpError() throws Exception {
		int udpPort = freePort();
		Path log = dir.resolve("datagram.log");
		List<String> command = new ArrayList<>(
				List.of("/usr/bin/systemd-socket-activate", "--datagram", "-l", "127.0.0.1:" + udpPort, javaCommand()));
		command.addAll(MasterProcess.FAST_JVM);
		command.addAll(List.of("-jar", MasterProcess.jar().toAbsolutePath().toString(), "--server.address=127.0.0.1",
				"--jproc.workers=1", "--jproc.boot-cache.enabled=false"));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		try {
			awaitFile(log, Pattern.compile("Listening on"), Duration.ofSeconds(10));
			try (java.net.DatagramSocket udp = new java.net.DatagramSocket()) {
				byte[] hello = "hello".getBytes();
				udp.send(new java.net.DatagramPacket(hello, hello.length,
						new java.net.InetSocketAddress("127.0.0.1", udpPort)));
			}
			assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the master gave up starting").isTrue();
			assertThat(process.exitValue()).isEqualTo(1);
			assertThat(Files.readString(log))
				.contains("jproc: socket activation: fd 3 (server) is not a stream socket");
		}
		finally {
			process.descendants().forEach(ProcessHandle::destroyForcibly);
			process.destroyForcibly();
		}
	}

	@Test
	@Order(6)
	void serverAndManagementSocketsByName() throws Exception {
		int server = freePort();
		int management = freePort();
		int configuredManagement = freePort();
		Path log = dir.resolve("two-sockets.log");
		// Management first: the names, not the order, say which is which.
		List<String> command = new ArrayList<>(List.of("/usr/bin/systemd-socket-activate", "-l",
				"127.0.0.1:" + management, "-l", "127.0.0.1:" + server, "--fdname=management:server", javaCommand()));
		command.addAll(MasterProcess.FAST_JVM);
		command.addAll(List.of("-jar", MasterProcess.jar().toAbsolutePath().toString(), "--server.address=127.0.0.1",
				"--management.server.port=" + configuredManagement, "--jproc.workers=1",
				"--jproc.boot-cache.enabled=false"));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		try {
			awaitFile(log, Pattern.compile("Listening on 127.0.0.1:" + server), Duration.ofSeconds(10));
			try (RawHttp.Pending first = RawHttp.send(server, "/", Duration.ofSeconds(90))) {
				awaitFile(log, ALL_READY, Duration.ofSeconds(90));
				assertThat(first.response().status()).isEqualTo(200);
			}
			RawHttp.Response workers = RawHttp.get(management, "/actuator/workers", Duration.ofSeconds(10));
			assertThat(workers.status()).isEqualTo(200);
			assertThat(workers.body())
				.contains("{\"name\":\"server\",\"address\":\"127.0.0.1:" + server + "\",\"source\":\"systemd\"}")
				.contains("{\"name\":\"management\",\"address\":\"127.0.0.1:" + management
						+ "\",\"source\":\"systemd\"}");
			assertThat(Sockets.canBind(configuredManagement)).as("management.server.port is informative only").isTrue();
		}
		finally {
			Processes.killTree(process);
		}
	}

	private static long masterPid(int n) throws IOException {
		Path file = dir.resolve("master-" + n + ".pid");
		return Long.parseLong(Files.readString(file).trim());
	}

	private static String javaCommand() {
		return Path.of(System.getProperty("java.home"), "bin", "java").toString();
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private static void awaitFile(Path file, Pattern pattern, Duration timeout) throws Exception {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			String text = Files.exists(file) ? Files.readString(file) : "";
			Matcher matcher = pattern.matcher(text);
			if (matcher.find()) {
				return;
			}
			if (System.nanoTime() > deadline) {
				throw new AssertionError("'" + pattern + "' not in " + file + " within " + timeout + "; tail:\n"
						+ text.substring(Math.max(0, text.length() - 3000)));
			}
			Thread.sleep(100);
		}
	}

}
