package io.jproc.sample;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import io.jproc.sample.support.Load;
import io.jproc.sample.support.MasterProcess;
import io.jproc.sample.support.RawHttp;
import io.jproc.sample.support.RetirementLine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Urgent retirements under a steady stream of requests: the worker in trouble stops
 * accepting at once, its replacement is spawned before it exits, and no request of the
 * stream fails.
 */
class FatalRetirementIT {

	private static final Pattern OOM_RETIRED = Pattern
		.compile("\\(pid (\\d+)\\) retired \\(OutOfMemoryError on thread [^:]+: simulated by /trouble/oom\\)");

	private static MasterProcess master;

	@BeforeAll
	static void startPool() throws Exception {
		// min-uptime 1s: a second urgent retirement in one slot is not damped as a quick
		// failure.
		master = MasterProcess.startPool("fatal-retirement", 2, "--sample.trouble-endpoints=true",
				"--jproc.drain-timeout=10s", "--jproc.restart.min-uptime=1s");
	}

	@AfterAll
	static void stopPool() {
		MasterProcess.closeShared(master);
	}

	@Test
	void outOfMemoryErrorOnAReactorThreadIsReplacedBeforeTheWorkerLeavesAndNoRequestFails() throws Exception {
		try (Load load = Load.start(master.port(), "/", 2, Duration.ofSeconds(90))) {
			load.awaitMore(50, Duration.ofSeconds(10));
			try {
				RawHttp.get(master.port(), "/trouble/oom", Duration.ofSeconds(10));
			}
			catch (IOException ex) {
				// The fatal error ends that one connection: expected.
			}
			long oldPid = Long.parseLong(master.awaitLog(OOM_RETIRED, Duration.ofSeconds(60)).group(1));
			RetirementLine line = RetirementLine.await(master, oldPid, Duration.ofSeconds(60));
			assertThat(line.replacementStartedBeforeExit(master.log()))
				.as("replacement spawned before the old worker exits: " + line.text())
				.isTrue();
			assertThat(line.text()).contains("with exit code 0");
			awaitGone(oldPid);
			load.awaitMore(100, Duration.ofSeconds(20));
			assertThat(load.byPid()).as("the replacement serves").containsKey(line.replacementPid());
			assertThat(load.failures()).as("failed requests of the stream").isEmpty();
		}
	}

	@Test
	void brokenLivenessIsReplacedAndTheInFlightSlowRequestCompletes() throws Exception {
		try (Load load = Load.start(master.port(), "/", 2, Duration.ofSeconds(90))) {
			load.awaitMore(50, Duration.ofSeconds(10));
			int port = master.port();
			CompletableFuture<RawHttp.Response> slow = CompletableFuture.supplyAsync(() -> {
				try {
					return RawHttp.get(port, "/trouble/break-liveness?ms=3000", Duration.ofSeconds(30));
				}
				catch (IOException ex) {
					throw new IllegalStateException(ex);
				}
			});
			RawHttp.Response response = slow.get(40, TimeUnit.SECONDS);
			assertThat(response.status()).as("the slow request in flight on the broken worker").isEqualTo(200);
			long oldPid = response.pid();
			RetirementLine line = RetirementLine.await(master, oldPid, Duration.ofSeconds(60));
			assertThat(line.reason()).isEqualTo("liveness state BROKEN");
			assertThat(line.replacementStartedBeforeExit(master.log()))
				.as("replacement spawned before the old worker exits: " + line.text())
				.isTrue();
			assertThat(line.exitedAt()).as("exit after the 3 s request finished").isGreaterThanOrEqualTo(2.5);
			awaitGone(oldPid);
			load.awaitMore(100, Duration.ofSeconds(20));
			assertThat(load.failures()).as("failed requests of the stream").isEmpty();
		}
	}

	static void awaitGone(long pid) throws InterruptedException {
		long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
		while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < end) {
			Thread.sleep(100);
		}
		assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid " + pid + " alive")
			.isFalse();
	}

}
