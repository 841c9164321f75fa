package io.jproc.sample;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.jproc.sample.support.MasterProcess;
import io.jproc.sample.support.RawHttp;
import io.jproc.sample.support.Signals;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 21, first item, on real processes: a worker stopped with SIGSTOP while the other
 * broadcasts megabytes to it, then {@code kill -9} of the broadcaster. The master's
 * channel to the stopped worker fills up; before, the next frame the loop wrote to it
 * (the new members, a leadership grant) blocked the loop for good: the replacement was
 * never marked ready, {@code /actuator/workers} got no answer, and the stopped worker was
 * never replaced. Now the loop only queues: the replacement becomes ready, the pool
 * answers within seconds, and the stopped worker is replaced at its heartbeat deadline.
 */
class StoppedWorkerFloodIT {

	private static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(8);

	private static final Duration HTTP = Duration.ofSeconds(5);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	void stoppedWorkerUnderAFloodWedgesNothingAndIsReplacedAtItsHeartbeatDeadline() throws Exception {
		try (MasterProcess master = MasterProcess.start("stopped-worker-flood", "--jproc.workers=2",
				"--jproc.heartbeat.interval=500ms", "--jproc.heartbeat.timeout=" + HEARTBEAT_TIMEOUT.toSeconds() + "s",
				"--jproc.drain-timeout=3s")) {
			master.awaitAllReady(2, Duration.ofSeconds(240));
			List<Long> workers = master.awaitWorkerCount(2, Duration.ofSeconds(10));
			long stopped = workers.get(0);
			long broadcaster = workers.get(1);
			try {
				long stoppedAt = System.nanoTime();
				Signals.send(stopped, "STOP");
				// Only the broadcaster accepts now. 3 x 300 messages of 10 kB: 9 MB for
				// the
				// stopped worker, more than its channel's byte budget (8 MiB) and the
				// socket's buffer together.
				for (int round = 0; round < 3; round++) {
					long start = System.nanoTime();
					RawHttp.Response flood = RawHttp.post(master.port(), "/sample/flood?count=300&size=10000", "",
							Duration.ofSeconds(30));
					assertThat(flood.status()).as(flood.body()).isEqualTo(200);
					System.out
						.println("flood " + round + " answered in " + millisSince(start) + " ms: " + flood.body());
				}
				Probe before = probe(master);
				System.out.println("before the kill: " + before);
				assertThat(before.status).as("/actuator/workers while a worker is stopped").isEqualTo(200);
				assertThat(before.millis).isLessThan(HTTP.toMillis());
				Signals.send(broadcaster, "KILL");
				long killedAt = System.nanoTime();

				Matcher hung = master.awaitLog(Pattern.compile("\\(pid " + stopped + "\\) is hung \\(([^)]*)\\)"),
						HEARTBEAT_TIMEOUT.plusSeconds(20));
				long hungAfter = millisSince(stoppedAt);
				System.out
					.println("stopped worker declared hung " + hungAfter + " ms after SIGSTOP (" + hung.group(1) + ")");
				assertThat(hungAfter).as("hang seen at the heartbeat deadline")
					.isBetween(HEARTBEAT_TIMEOUT.toMillis() - 500, HEARTBEAT_TIMEOUT.toMillis() + 15_000);

				// The pool is whole again with two new workers, and answers all along.
				List<Probe> probes = new ArrayList<>();
				long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
				Probe last = null;
				while (last == null || !last.whole(stopped, broadcaster)) {
					assertThat(System.nanoTime())
						.as("pool whole again; probes so far: " + probes + "; tail:\n" + master.tail(40))
						.isLessThan(deadline);
					Probe probe = probe(master);
					if (probe.status < 0) {
						// No worker accepts yet (the replacement boots): nothing to ask.
						Thread.sleep(200);
						continue;
					}
					probes.add(probe);
					last = probe;
					assertThat(probe.status).as("/actuator/workers once a worker serves: " + probe).isEqualTo(200);
					assertThat(probe.millis).as("/actuator/workers answer time").isLessThan(HTTP.toMillis());
					Thread.sleep(200);
				}
				System.out.println("pool whole " + millisSince(killedAt) + " ms after kill -9; " + probes.size()
						+ " probes, slowest " + probes.stream().mapToLong((probe) -> probe.millis).max().orElse(-1)
						+ " ms, largest heartbeat age "
						+ probes.stream().mapToLong((probe) -> probe.heartbeatAge).max().orElse(-1) + " ms");
				assertThat(master.log()).as("the killed worker's exit was seen")
					.containsPattern("\\(pid " + broadcaster + "\\) exited with signal 9");
				awaitGone(stopped, Duration.ofSeconds(30));
			}
			finally {
				if (ProcessHandle.of(stopped).map(ProcessHandle::isAlive).orElse(false)) {
					Signals.trySend(stopped, "CONT");
				}
			}
		}
	}

	private static Probe probe(MasterProcess master) {
		long start = System.nanoTime();
		try {
			RawHttp.Response response = RawHttp.get(master.port(), "/actuator/workers", HTTP);
			long millis = millisSince(start);
			if (response.status() != 200) {
				return new Probe(response.status(), millis, null, -1);
			}
			JsonNode pool = JSON.readTree(response.body());
			long age = -1;
			for (JsonNode worker : pool.get("workers")) {
				if ("ready".equals(worker.path("state").asString(""))) {
					age = Math.max(age, worker.path("heartbeatAgeMillis").asLong(-1));
				}
			}
			return new Probe(200, millis, pool, age);
		}
		catch (IOException ex) {
			return new Probe(-1, millisSince(start), null, -1);
		}
	}

	private static long millisSince(long nanos) {
		return (System.nanoTime() - nanos) / 1_000_000;
	}

	private static void awaitGone(long pid, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
			assertThat(System.nanoTime()).as("pid " + pid + " gone within " + timeout).isLessThan(deadline);
			Thread.sleep(100);
		}
	}

	private record Probe(int status, long millis, JsonNode pool, long heartbeatAge) {

		boolean whole(long... old) {
			if (this.pool == null || this.pool.get("workers").size() != 2) {
				return false;
			}
			for (JsonNode worker : this.pool.get("workers")) {
				long pid = worker.path("pid").asLong(-1);
				if (!"ready".equals(worker.path("state").asString("")) || pid == old[0] || pid == old[1]) {
					return false;
				}
			}
			return true;
		}

		@Override
		public String toString() {
			return "status " + this.status + " in " + this.millis + " ms, heartbeat age " + this.heartbeatAge + " ms";
		}

	}

}
