package io.jproc.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.jproc.sample.support.MasterProcess;
import io.jproc.sample.support.RawHttp;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lean master (issue 23): by default the master's JVM becomes a small one with the
 * same pid once its socket is bound; {@code jproc.master.lean=false} keeps today's
 * master.
 */
class LeanMasterIT {

	private static final Duration BOUND = Duration.ofSeconds(120);

	/**
	 * Far above the measured figure (see bench/master-memory.sh), far below the 131 MB of
	 * the in-JVM master.
	 */
	private static final long RSS_BOUND_KB = 96 * 1024;

	private static final Pattern LEAN = Pattern.compile("jproc master \\(pid (\\d+)\\) runs in a lean JVM");

	@Test
	void aPoolOfTwoRunsWithTheLeanMasterByDefault() throws Exception {
		try (MasterProcess master = MasterProcess.startPool("lean-master", 2)) {
			long pid = master.pid();
			Matcher lean = master.awaitLog(LEAN, BOUND);
			assertThat(Long.parseLong(lean.group(1))).as("the lean JVM's pid is the one that was started")
				.isEqualTo(pid);
			assertThat(cmdline(pid)).as("this pid runs the lean JVM now")
				.contains("-XX:+UseSerialGC")
				.anyMatch((argument) -> argument.contains("io.jproc.master.LeanMaster"));
			assertThat(RawHttp.get(master.port(), "/", BOUND).status()).isEqualTo(200);
			for (long worker : master.awaitWorkerCount(2, BOUND)) {
				List<String> workerCommand = cmdline(worker);
				assertThat(workerCommand).as("a worker starts from the application's command line")
					.contains("-jar", "-Xmx256m")
					.noneMatch((argument) -> argument.contains("LeanMaster") || argument.contains("hand-off"));
			}
			assertThat(descriptorTargets(pid)).as("the hand-off is closed and nothing of the old JVM leaked")
				.noneMatch((target) -> target.contains("jproc-master-"));
			Thread.sleep(3000);
			long rss = rssKb(pid);
			System.out.println("lean master RSS with 2 workers, idle: " + (rss / 1024) + " MB");
			assertThat(rss).as("the master's RSS in kB").isLessThan(RSS_BOUND_KB);
			master.signal("TERM");
			assertThat(master.awaitExit(BOUND)).isZero();
			master.awaitLog(Pattern.compile("shutdown complete in [0-9.]+ s, exit code 0"), BOUND);
			assertThat(master.survivors()).isEmpty();
		}
	}

	@Test
	void leanFalseKeepsTheMasterInTheApplicationsJvm() throws Exception {
		try (MasterProcess master = MasterProcess.startPool("lean-master-off", 1, "--jproc.master.lean=false")) {
			long pid = master.pid();
			assertThat(RawHttp.get(master.port(), "/", BOUND).status()).isEqualTo(200);
			assertThat(master.log()).doesNotContain("runs in a lean JVM").doesNotContain("cannot become a lean JVM");
			assertThat(cmdline(pid)).contains("-jar").noneMatch((argument) -> argument.contains("LeanMaster"));
			master.signal("TERM");
			assertThat(master.awaitExit(BOUND)).isZero();
		}
	}

	private static List<String> cmdline(long pid) throws IOException {
		String raw = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8);
		return List.of(raw.split("\0"));
	}

	private static long rssKb(long pid) throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
			if (line.startsWith("VmRSS:")) {
				return Long.parseLong(line.replaceAll("[^0-9]", ""));
			}
		}
		throw new AssertionError("no VmRSS for " + pid);
	}

	private static List<String> descriptorTargets(long pid) throws IOException {
		List<String> targets = new ArrayList<>();
		try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
			for (Path fd : fds.toList()) {
				try {
					targets.add(Files.readSymbolicLink(fd).toString());
				}
				catch (IOException ex) {
					// closed meanwhile
				}
			}
		}
		return targets;
	}

}
