package io.jproc.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.jproc.sample.support.MasterProcess;
import io.jproc.sample.support.RawHttp;
import io.jproc.sample.support.Signals;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A scale storm on a real pool: a 1-worker pool with {@code jproc.worker.max-booting=1}
 * (or {@code -Djproc.storm.max-booting}) and {@code jproc.max-workers=4}. A scale above
 * the cap is refused naming the key; a scale to 4 boots one JVM at a time (the master's
 * log, read in order, never has more started than ready), refuses a second scale up, a
 * TTIN and a reload while it runs, and sizes the new workers for a pool of 4; then a kill
 * -9 of every worker at once is replaced one JVM at a time too. Prints how long the pool
 * took to settle after each storm.
 */
class ScaleStormIT {

	private static final Duration BOUND = Duration.ofSeconds(10);

	private static final Duration SETTLE = Duration.ofSeconds(150);

	private static final Pattern STARTED = Pattern.compile("worker \\d+ \\(pid (\\d+)\\) started");

	private static final Pattern READY = Pattern.compile("worker \\d+ \\(pid (\\d+)\\) ready in");

	private static final Pattern EXITED = Pattern.compile("worker \\d+ \\(pid (\\d+)\\) exited with");

	@Test
	void scaleAndCrashStormsBootAtMostMaxBootingJvmsAtOnce() throws Exception {
		int maxBooting = Integer.getInteger("jproc.storm.max-booting", 1);
		try (MasterProcess master = MasterProcess.startPool("scale-storm", 1,
				"--jproc.worker.max-booting=" + maxBooting, "--jproc.max-workers=4",
				"--management.endpoint.workers.access=unrestricted")) {
			long first = master.awaitWorkerCount(1, BOUND).get(0);

			RawHttp.Response tooMany = scale(master, 100);
			assertThat(tooMany.status()).isEqualTo(400);
			assertThat(tooMany.body()).contains("scale to 100 refused: at most 4 workers (jproc.max-workers=4)");
			assertThat(master.workerPids()).containsExactly(first);

			int logFrom = master.log().length();
			long began = System.nanoTime();
			RawHttp.Response storm = scale(master, 4);
			assertThat(storm.status()).as(storm.body()).isEqualTo(202);
			RawHttp.Response again = scale(master, 5);
			assertThat(again.status()).as("above the cap still").isEqualTo(400);
			RawHttp.Response reload = post(master, "{\"action\":\"reload\"}");
			assertThat(reload.status()).as(reload.body()).isEqualTo(409);
			assertThat(reload.body()).contains("a scale is running");
			master.signal("TTIN");
			master.awaitLog(Pattern.compile("refused: a scale is running \\(actuator via worker 1\\)"), BOUND);
			int mostBooting = sampleUntilReady(master, 4, maxBooting, began);
			master.awaitLog(Pattern.compile("scale complete \\(actuator via worker 1\\): 3 new workers ready in"),
					BOUND);
			double scaleSettled = seconds(began);
			assertThat(bootingAtOnce(master.log().substring(logFrom))).as("most JVMs booting at once, master log")
				.isLessThanOrEqualTo(maxBooting);
			assertThat(master.awaitWorkerCount(4, BOUND)).contains(first);
			if (Runtime.getRuntime().availableProcessors() >= 2) {
				int processors = Runtime.getRuntime().availableProcessors();
				assertThat(option(first, "-XX:ActiveProcessorCount=")).isEqualTo(Integer.toString(processors));
				for (long pid : master.workerPids()) {
					if (pid != first) {
						assertThat(option(pid, "-XX:ActiveProcessorCount=")).as("worker %d joined a pool of 4", pid)
							.isEqualTo(Integer.toString(Math.max(1, processors / 4)));
					}
				}
				assertThat(master.log()).contains("jproc: new workers join a pool of 4 and are sized with");
			}
			assertThat(RawHttp.get(master.port(), "/actuator/workers", BOUND).body()).contains(
					"\"operation\":{\"action\":\"scale\",\"trigger\":\"actuator via worker 1\",\"state\":\"done\"");

			// A crash storm: every worker killed at once.
			List<Long> victims = master.workerPids();
			logFrom = master.log().length();
			long killed = System.nanoTime();
			for (long pid : victims) {
				Signals.trySend(pid, "KILL");
			}
			int mostBootingAfterCrash = sampleUntilReady(master, 4, maxBooting, killed);
			double crashSettled = seconds(killed);
			assertThat(bootingAtOnce(master.log().substring(logFrom))).as("most JVMs booting at once after the crash")
				.isLessThanOrEqualTo(maxBooting);
			assertThat(master.awaitWorkerCount(4, BOUND)).doesNotContainAnyElementsOf(victims);
			assertThat(master.process().isAlive()).isTrue();
			System.out.printf(
					"ScaleStormIT (max-booting %d, %d processors): scale 1 -> 4 settled in %.1f s (at most %d booting "
							+ "seen); kill -9 of 4 workers settled in %.1f s (at most %d booting seen)%n",
					maxBooting, Runtime.getRuntime().availableProcessors(), scaleSettled, mostBooting, crashSettled,
					mostBootingAfterCrash);
		}
	}

	/**
	 * Wait until the pool has {@code wanted} ready workers, sampling how many boot: the
	 * slots {@code /actuator/workers} shows starting.
	 * @return the most seen starting at once
	 */
	private static int sampleUntilReady(MasterProcess master, int wanted, int maxBooting, long since) throws Exception {
		long deadline = since + SETTLE.toNanos();
		int most = 0;
		String body = "";
		while (System.nanoTime() < deadline) {
			try {
				body = RawHttp.get(master.port(), "/actuator/workers", BOUND).body();
			}
			catch (IOException ex) {
				// Every worker killed: nobody answers until a replacement is ready.
				Thread.sleep(100);
				continue;
			}
			int starting = count(body, "\"state\":\"starting\"");
			most = Math.max(most, starting);
			assertThat(starting).as("slots starting at once: %s", body).isLessThanOrEqualTo(maxBooting);
			if (body.contains("\"workersWanted\":" + wanted + ",\"workersReady\":" + wanted + ",")) {
				return most;
			}
			Thread.sleep(100);
		}
		throw new AssertionError("the pool did not settle with " + wanted + " ready workers within " + SETTLE
				+ "; last answer " + body + "\n" + master.tail(40));
	}

	/**
	 * The most worker JVMs booting at once as the master's log tells it, line by line:
	 * started, then ready or exited.
	 */
	static int bootingAtOnce(String log) {
		Set<String> booting = new HashSet<>();
		int most = 0;
		for (String line : log.lines().toList()) {
			Matcher started = STARTED.matcher(line);
			Matcher ready = READY.matcher(line);
			Matcher exited = EXITED.matcher(line);
			if (started.find()) {
				booting.add(started.group(1));
				most = Math.max(most, booting.size());
			}
			else if (ready.find()) {
				booting.remove(ready.group(1));
			}
			else if (exited.find()) {
				booting.remove(exited.group(1));
			}
		}
		return most;
	}

	private static String option(long pid, String prefix) throws IOException {
		List<String> argv = new ArrayList<>();
		for (String arg : Files.readString(Path.of("/proc/" + pid + "/cmdline"), StandardCharsets.UTF_8).split("\0")) {
			argv.add(arg);
		}
		return argv.stream()
			.filter((arg) -> arg.startsWith(prefix))
			.map((arg) -> arg.substring(prefix.length()))
			.reduce((a, b) -> b)
			.orElse("none in " + argv);
	}

	private static int count(String text, String part) {
		int count = 0;
		for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
			count++;
		}
		return count;
	}

	private static double seconds(long since) {
		return (System.nanoTime() - since) / 1e9;
	}

	private static RawHttp.Response scale(MasterProcess master, int workers) throws IOException {
		return post(master, "{\"action\":\"scale\",\"workers\":" + workers + "}");
	}

	private static RawHttp.Response post(MasterProcess master, String json) throws IOException {
		return RawHttp.post(master.port(), "/actuator/workers", json, BOUND);
	}

}
