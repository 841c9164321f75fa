package io.jproc.sample;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.regex.Pattern;

import io.jproc.sample.support.MasterProcess;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Wrong configuration or a taken port stop the master at once, with a message that says
 * what to fix, before any worker is started.
 */
class StartupFailureIT {

	private static final Pattern WORKER_STARTED = Pattern.compile("worker \\d+ \\(pid \\d+\\) started");

	@Test
	void negativeWorkerCountNamesTheKeyAndTheAllowedValues() throws Exception {
		assertFailsWith("bad-workers-negative", "jproc.workers", "'auto' or a whole number from 0 to 256",
				"--jproc.workers=-3");
	}

	@Test
	void wordWorkerCountNamesTheKeyAndTheAllowedValues() throws Exception {
		assertFailsWith("bad-workers-word", "jproc.workers", "'auto' or a whole number", "--jproc.workers=lots");
	}

	@Test
	void unparsableDurationNamesTheKey() throws Exception {
		assertFailsWith("bad-duration", "jproc.drain-timeout", "soon", "--jproc.workers=2",
				"--jproc.drain-timeout=soon");
	}

	@Test
	void portInUseFailsWithoutStartingWorkers() throws Exception {
		try (ServerSocket taken = new ServerSocket()) {
			taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
			int port = taken.getLocalPort();
			assertFailsWith("port-in-use", "Port " + port + " was already in use", "Identify and stop the process",
					"--server.port=" + port, "--jproc.workers=2");
		}
	}

	private static void assertFailsWith(String name, String expected, String alsoExpected, String... args)
			throws Exception {
		try (MasterProcess master = MasterProcess.start(name, args)) {
			int exit = master.awaitExit(Duration.ofSeconds(60));
			assertThat(exit).as("exit code").isNotZero();
			assertThat(master.log()).contains(expected).contains(alsoExpected);
			assertThat(master.count(WORKER_STARTED)).as("workers started").isZero();
			assertThat(master.survivors()).isEmpty();
		}
	}

}
