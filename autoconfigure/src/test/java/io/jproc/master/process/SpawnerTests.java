package io.jproc.master.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jnr.constants.platform.Fcntl;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tests for {@link Spawner} with real processes of {@code /bin/sh}: exit codes and
 * signals, the descriptors a child gets and those it must not, and reaping.
 * <p>
 * One spawner for the whole class: its reaper waits for any child of this JVM, so a
 * second spawner's reaper could take this one's children.
 */
class SpawnerTests {

	private static final Spawner spawner = new Spawner();

	private static final POSIX posix = POSIXFactory.getNativePOSIX();

	private static final int O_NONBLOCK = 04000;

	private static final Map<String, String> ENVIRONMENT = Map.of("PATH", System.getenv("PATH"));

	/** Processes started and not yet seen to end, ended after each test. */
	private final Set<Long> running = ConcurrentHashMap.newKeySet();

	private final List<Integer> descriptors = new ArrayList<>();

	@TempDir
	Path temp;

	@AfterEach
	void endEverything() {
		this.running.forEach((pid) -> spawner.kill(pid, 9));
		this.descriptors.forEach(posix::close);
	}

	@Test
	void watchWhenTheProcessExitsShouldReportItsExitCode() throws Exception {
		assertThat(run(sh("exit 3"), Map.of())).isEqualTo(new Exit(3, 0));
	}

	@Test
	void watchWhenTheProcessIsKilledShouldReportTheSignal() throws Exception {
		Exit exit = run(sh("kill -TERM $$"), Map.of());
		assertThat(exit).isEqualTo(new Exit(-1, 15));
		assertThat(exit.signalName()).isEqualTo("TERM");
	}

	@Test
	void decodeWhenTheStatusIsUnknownShouldSaySo() {
		assertThat(Spawner.decode(-1)).hasToString("unknown status");
	}

	@Test
	void watchShouldReportOnlyOnceTheProcessIsReaped() throws Exception {
		long pid = spawn(sh("exit 0"), Map.of(), null);
		CompletableFuture<Boolean> zombie = new CompletableFuture<>();
		spawner.watch(pid, (status) -> zombie.complete(Files.exists(Path.of("/proc/" + pid))));
		assertThat(zombie.get(10, TimeUnit.SECONDS)).as("/proc/%d once reported", pid).isFalse();
		this.running.remove(pid);
	}

	@Test
	void watchAfterTheProcessWasReapedShouldStillReportItsExit() throws Exception {
		long sleeper = spawn(List.of("sleep", "30"), Map.of(), null);
		CompletableFuture<Exit> sleeperExit = watch(sleeper);
		long quick = spawn(sh("exit 5"), Map.of(), null);
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (Files.exists(Path.of("/proc/" + quick)) && System.nanoTime() < deadline) {
			Thread.sleep(10);
		}
		assertThat(Path.of("/proc/" + quick)).as("reaped before anyone watched it").doesNotExist();
		assertThat(watch(quick).getNow(null)).isEqualTo(new Exit(5, 0));
		assertThat(spawner.kill(sleeper, 9)).isTrue();
		assertThat(sleeperExit.get(10, TimeUnit.SECONDS)).isEqualTo(new Exit(-1, 9));
	}

	@Test
	void reaperWhenAnExitCallbackThrowsAnErrorShouldGoOnReaping() throws Exception {
		long first = spawn(sh("exit 0"), Map.of(), null);
		CompletableFuture<Boolean> thrown = new CompletableFuture<>();
		spawner.watch(first, (status) -> {
			this.running.remove(first);
			thrown.complete(true);
			throw new StackOverflowError("test");
		});
		assertThat(thrown.get(10, TimeUnit.SECONDS)).isTrue();
		Thread.sleep(200);
		assertThat(spawner.reaping()).as("the reaper lives on").isTrue();
		assertThat(run(sh("exit 4"), Map.of())).as("the next exit, reported by the same reaper")
			.isEqualTo(new Exit(4, 0));
	}

	@Test
	void reaperWhenAnExitCallbackRunsOutOfMemoryShouldCallTheFatalHandlerAndEnd() throws Exception {
		CompletableFuture<Throwable> fatal = new CompletableFuture<>();
		spawner.onFatal(fatal::complete);
		try {
			long pid = spawn(sh("exit 0"), Map.of(), null);
			spawner.watch(pid, (status) -> {
				this.running.remove(pid);
				throw new OutOfMemoryError("test");
			});
			assertThat(fatal.get(10, TimeUnit.SECONDS)).isInstanceOf(OutOfMemoryError.class).hasMessage("test");
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
			while (spawner.reaping() && System.nanoTime() < deadline) {
				Thread.sleep(10);
			}
			assertThat(spawner.reaping()).as("the reaper ended").isFalse();
		}
		finally {
			spawner.onFatal((ex) -> {
			});
		}
		// The next watch starts a reaper again.
		assertThat(run(sh("exit 2"), Map.of())).isEqualTo(new Exit(2, 0));
	}

	@Test
	void spawnShouldPlaceEachInheritedDescriptorAtItsNumberEvenWhenTheyCross() throws Exception {
		int[] a = pipe();
		int[] b = pipe();
		// a's writer goes where b's is in this process, and b's where a's is: placed one
		// after the other, the second would find the first already there.
		Exit exit = run(sh("echo to-a > /proc/$$/fd/" + b[1] + "; echo to-b > /proc/$$/fd/" + a[1]),
				Map.of(b[1], a[1], a[1], b[1]));
		assertThat(exit).isEqualTo(new Exit(0, 0));
		assertThat(readAvailable(a[0])).isEqualTo("to-a\n");
		assertThat(readAvailable(b[0])).isEqualTo("to-b\n");
	}

	@Test
	void spawnShouldGiveTheChildNoOtherDescriptorOfTheMaster() throws Exception {
		int[] inherited = pipe();
		int[] other = pipe();
		Path output = this.temp.resolve("fds");
		Exit exit = run(sh("ls /proc/$$/fd; true"), Map.of(7, inherited[1]), output);
		assertThat(exit).isEqualTo(new Exit(0, 0));
		List<String> fds = Files.readAllLines(output);
		assertThat(fds).contains("0", "1", "2", "7")
			.doesNotContain(Integer.toString(other[0]), Integer.toString(other[1]), Integer.toString(inherited[1]));
	}

	@Test
	void spawnShouldGiveExactlyTheEnvironmentAndAppendOutputAndErrorsToTheFile() throws Exception {
		Path output = this.temp.resolve("out");
		Files.writeString(output, "before\n");
		Exit exit = run(sh("echo \"out $JPROC_TEST\"; echo err >&2; env"), Map.of(), output,
				Map.of("PATH", System.getenv("PATH"), "JPROC_TEST", "yes"));
		assertThat(exit).isEqualTo(new Exit(0, 0));
		List<String> lines = Files.readAllLines(output);
		assertThat(lines.subList(0, 3)).containsExactly("before", "out yes", "err");
		assertThat(lines).contains("JPROC_TEST=yes").noneMatch((line) -> line.startsWith("HOME="));
	}

	@Test
	void spawnWhereTheKernelHasCloseRangeShouldMarkDescriptorsWithIt() throws Exception {
		assumeTrue(kernelAtLeast(5, 11), "close_range(2) with CLOSE_RANGE_CLOEXEC needs Linux 5.11");
		int[] open = pipe();
		assertThat(posix.fcntl(open[1], Fcntl.F_GETFD) & 1).as("FD_CLOEXEC before").isZero();
		assertThat(run(sh("exit 0"), Map.of())).isEqualTo(new Exit(0, 0));
		assertThat(spawner.closeOnExecPath()).isEqualTo("close_range");
		assertThat(posix.fcntl(open[1], Fcntl.F_GETFD) & 1).as("FD_CLOEXEC after").isEqualTo(1);
	}

	@Test
	void markAllCloseOnExecWithoutCloseRangeShouldSweep() {
		Spawner sweeping = new Spawner(false);
		int[] open = pipe();
		sweeping.markAllCloseOnExec();
		assertThat(sweeping.closeOnExecPath()).isEqualTo("sweep");
		assertThat(posix.fcntl(open[0], Fcntl.F_GETFD) & 1).isEqualTo(1);
	}

	private static boolean kernelAtLeast(int major, int minor) {
		String[] version = System.getProperty("os.version").split("[.-]");
		int actualMajor = Integer.parseInt(version[0]);
		int actualMinor = Integer.parseInt(version[1]);
		return actualMajor > major || (actualMajor == major && actualMinor >= minor);
	}

	@Test
	void spawnWhenTheCommandDoesNotExistShouldFail() {
		assertThatIOException().isThrownBy(() -> spawner.spawn(List.of("jproc-no-such-command"), ENVIRONMENT, Map.of()))
			.withMessageContaining("posix_spawnp of jproc-no-such-command failed");
	}

	private static List<String> sh(String script) {
		return List.of("sh", "-c", script);
	}

	private Exit run(List<String> argv, Map<Integer, Integer> inherited) throws Exception {
		return run(argv, inherited, null);
	}

	private Exit run(List<String> argv, Map<Integer, Integer> inherited, Path output) throws Exception {
		return run(argv, inherited, output, ENVIRONMENT);
	}

	private Exit run(List<String> argv, Map<Integer, Integer> inherited, Path output, Map<String, String> environment)
			throws Exception {
		long pid = spawner.spawn(argv, environment, inherited, output);
		this.running.add(pid);
		return watch(pid).get(10, TimeUnit.SECONDS);
	}

	private long spawn(List<String> argv, Map<Integer, Integer> inherited, Path output) throws IOException {
		long pid = spawner.spawn(argv, ENVIRONMENT, inherited, output);
		this.running.add(pid);
		return pid;
	}

	private CompletableFuture<Exit> watch(long pid) {
		CompletableFuture<Exit> exit = new CompletableFuture<>();
		spawner.watch(pid, (status) -> {
			this.running.remove(pid);
			exit.complete(Spawner.decode(status));
		});
		return exit;
	}

	/** A pipe whose ends a child would inherit, were they not marked close-on-exec. */
	private int[] pipe() {
		int[] fds = new int[2];
		assertThat(posix.pipe(fds)).isZero();
		posix.fcntlInt(fds[0], Fcntl.F_SETFL, O_NONBLOCK);
		this.descriptors.add(fds[0]);
		this.descriptors.add(fds[1]);
		return fds;
	}

	/** What a pipe holds, without waiting for more. */
	private static String readAvailable(int fd) {
		byte[] buffer = new byte[256];
		int read = posix.read(fd, buffer, buffer.length);
		assertThat(read).as("bytes in the pipe").isPositive();
		return new String(Arrays.copyOf(buffer, read), StandardCharsets.UTF_8);
	}

}
