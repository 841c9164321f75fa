package io.jproc.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.jproc.sample.support.MasterProcess;
import io.jproc.sample.support.RawHttp;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The master as a container's PID 1, in a PID namespace of its own ({@code unshare --pid
 * --fork}, as {@code docker run} without {@code --init} gives it): it serves, reaps a
 * child it did not start (as PID 1 inherits every orphan of the container), and exits 0
 * on the SIGTERM that {@code docker stop} or the kubelet sends, leaving no process.
 */
class PidOneIT {

	private static final Duration BOUND = Duration.ofSeconds(60);

	@Test
	void servesReapsWhatItDidNotStartAndStopsCleanlyAsPidOne() throws Exception {
		List<String> unshare = unshare();
		assumeTrue(unshare != null, "unshare cannot make a PID namespace here (needs root or user namespaces)");
		// sh is PID 1 until it execs the JVM: the sleep is then a child the master never
		// started, the same to its reaper as an orphan the kernel hands to PID 1.
		List<String> wrapper = new ArrayList<>(unshare);
		wrapper.addAll(List.of("sh", "-c", "sleep 1 & exec \"$@\"", "sh"));
		try (MasterProcess master = MasterProcess.startWrapped("pid-one", wrapper, "--jproc.workers=1")) {
			master.awaitAllReady(1, BOUND);
			assertThat(master.log()).contains("jproc master (pid 1) listening on");
			RawHttp.Response response = RawHttp.get(master.port(), "/", BOUND);
			assertThat(response.status()).isEqualTo(200);
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
			while (!childrenNamed(master.pid(), "sleep").isEmpty() && System.nanoTime() < deadline) {
				Thread.sleep(100);
			}
			assertThat(childrenNamed(master.pid(), "sleep")).as("the finished sleep, reaped (no zombie)").isEmpty();
			List<Long> workers = master.awaitWorkerCount(1, BOUND);
			master.signal("TERM");
			assertThat(master.awaitExit(BOUND)).as("exit code through unshare").isZero();
			master.awaitLog(Pattern.compile("shutdown complete in [0-9.]+ s, exit code 0"), BOUND);
			assertThat(workers).noneMatch((pid) -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
			assertThat(master.survivors()).isEmpty();
		}
	}

	/**
	 * The unshare command line that works here: as root a PID namespace, otherwise one in
	 * a user namespace; {@code null} when neither may be made.
	 */
	private static List<String> unshare() throws InterruptedException {
		for (List<String> candidate : List.of(List.of("unshare", "--pid", "--fork", "--mount-proc"),
				List.of("unshare", "--user", "--map-root-user", "--pid", "--fork", "--mount-proc"))) {
			List<String> probe = new ArrayList<>(candidate);
			probe.add("true");
			try {
				Process process = new ProcessBuilder(probe).redirectErrorStream(true)
					.redirectOutput(ProcessBuilder.Redirect.DISCARD)
					.start();
				if (process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0) {
					return candidate;
				}
				process.destroyForcibly();
			}
			catch (IOException ex) {
				return null;
			}
		}
		return null;
	}

	/**
	 * The children of a process with a given command name, zombies included (a zombie
	 * keeps its name and its parent until it is reaped).
	 */
	private static List<Long> childrenNamed(long parent, String name) throws IOException {
		List<Long> found = new ArrayList<>();
		try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
			for (Path entry : entries.filter((path) -> path.getFileName().toString().matches("\\d+")).toList()) {
				try {
					String stat = Files.readString(entry.resolve("stat"));
					String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
					String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
					if (comm.equals(name) && Long.parseLong(fields[1]) == parent) {
						found.add(Long.parseLong(entry.getFileName().toString()));
					}
				}
				catch (IOException | RuntimeException ex) {
					// Gone meanwhile.
				}
			}
		}
		return found;
	}

}
