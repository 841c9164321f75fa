package io.jproc.sample;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import io.jproc.sample.support.MasterProcess;
import io.jproc.sample.support.RawHttp;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * During a shutdown drain a new connection is refused at once (a client or load balancer
 * can retry elsewhere) while the in-flight request completes, as with a plain Spring Boot
 * app; before jproc closed every copy of the listening socket, such a connection was
 * accepted by the kernel and reset later.
 */
class ShutdownRefusesIT {

	@Test
	void poolRefusesNewConnectionsDuringTheDrainAndFinishesTheInFlightRequest() throws Exception {
		try (MasterProcess master = MasterProcess.startPool("shutdown-refuses", 2)) {
			long refusedAfter = refusesWhileDraining(master, master.port());
			System.out.println("jproc pool: new connections refused " + refusedAfter + " ms after SIGTERM");
			assertThat(master.awaitExit(Duration.ofSeconds(40))).isZero();
			master.awaitLog(Pattern.compile("shutdown complete"), Duration.ofSeconds(5));
		}
	}

	@Test
	void plainBootRefusesTheSameWay() throws Exception {
		int port;
		try (ServerSocket free = new ServerSocket(0)) {
			port = free.getLocalPort();
		}
		try (MasterProcess plain = MasterProcess.start("shutdown-refuses-plain", "--jproc.workers=0",
				"--server.port=" + port)) {
			plain.awaitLog(Pattern.compile("Started SampleApplication"), Duration.ofSeconds(90));
			long refusedAfter = refusesWhileDraining(plain, port);
			System.out.println("plain Boot: new connections refused " + refusedAfter + " ms after SIGTERM");
			plain.awaitExit(Duration.ofSeconds(40));
		}
	}

	/**
	 * Send a slow request, SIGTERM the process, then probe with new connections until one
	 * is refused; once refused, every later probe must be refused too, and the slow
	 * request must complete.
	 * @return milliseconds from SIGTERM to the first refusal
	 */
	private static long refusesWhileDraining(MasterProcess process, int port) throws Exception {
		try (RawHttp.Pending slow = RawHttp.send(port, "/slow?ms=8000", Duration.ofSeconds(30))) {
			Thread.sleep(500);
			long termAt = System.nanoTime();
			process.signal("TERM");
			long refusedAt = -1;
			long deadline = termAt + TimeUnit.SECONDS.toNanos(5);
			while (System.nanoTime() < deadline) {
				boolean refused = probe(port);
				if (refused && refusedAt < 0) {
					refusedAt = System.nanoTime();
				}
				else if (!refused && refusedAt > 0) {
					throw new AssertionError("a connection was accepted again after the first refusal");
				}
				Thread.sleep(20);
			}
			assertThat(refusedAt).as("a new connection refused within 5 s of SIGTERM").isPositive();
			long refusedAfter = TimeUnit.NANOSECONDS.toMillis(refusedAt - termAt);
			// Well before the slow request ends (7.5 s after SIGTERM): refused during the
			// drain.
			assertThat(refusedAfter).as("ms from SIGTERM to refusal").isLessThan(1500);
			assertThat(slow.response().status()).as("the request in flight at SIGTERM").isEqualTo(200);
			return refusedAfter;
		}
	}

	/** Whether a new connection to the port is refused (not accepted, not timed out). */
	private static boolean probe(int port) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
			return false;
		}
		catch (ConnectException ex) {
			return true;
		}
	}

}
