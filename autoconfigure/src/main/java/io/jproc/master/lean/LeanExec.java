package io.jproc.master.lean;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.jproc.master.process.Spawner;
import io.jproc.master.process.WorkerCommand;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import org.jspecify.annotations.Nullable;

/**
 * The one place where the master replaces its JVM by another one with the same pid: the
 * lean master today, a master that upgrades itself in place tomorrow.
 * <p>
 * The contract of {@link #exec}: it either does not return (this process now runs the
 * given main class, which calls {@link #receive} to get the {@link HandOff}), or it
 * returns why not, and then nothing the caller relies on has changed: its sockets are
 * open, the hand-off is closed and gone, and every descriptor above 2 is close-on-exec
 * (which the master wants anyway before it spawns anything). What crosses the exec:
 * <ul>
 * <li>the pid, hence systemd's {@code MAINPID}, the parent and the children (none yet);
 * <li>the environment, untouched ({@code execv} passes {@code environ}), so
 * {@code NOTIFY_SOCKET} and {@code LISTEN_*} still hold;
 * <li>stdin, stdout, stderr, the working directory, the limits, the nice value;
 * <li>ignored signals stay ignored (handled ones are reset to their default until the new
 * JVM installs its handlers: a signal in that gap acts as it does on any JVM that is
 * still starting);
 * <li>exactly the descriptors named in the hand-off and the hand-off's own: every other
 * one is marked close-on-exec first (the JDK opens jar files without it);
 * <li>the hand-off, in a file created 0600 that is deleted as soon as it is open, before
 * the exec: the new JVM reads it through {@code /proc/self/fd/N} and closes it.
 * </ul>
 * The point of no return is {@code execv} itself: once it succeeds, a JVM that fails to
 * start ends the master (its workers do not exist yet).
 */
public final class LeanExec {

	/** The system property that names the hand-off's descriptor in the new JVM. */
	public static final String HAND_OFF_FD = "jproc.master.hand-off-fd";

	/** The lean master's entry point. */
	public static final String LEAN_MAIN = "io.jproc.master.LeanMaster";

	/** The commons-logging factory of the lean master. */
	static final String LOG_FACTORY = "org.apache.commons.logging.LogFactory";

	/**
	 * Options that keep reflection on the JVM's native accessors. Otherwise JDK 17 spins
	 * a class (in a class loader of its own) for each method or constructor called
	 * reflectively more than 15 times, and JDK 18+ a method handle with its lambda forms
	 * for each at its first call: the IPC codec's record accessors and constructors alone
	 * made about 190 (JDK 17) and 370 (JDK 25) classes that way. A JDK ignores the option
	 * it does not know.
	 */
	public static final List<String> NATIVE_REFLECTION = List.of("-Dsun.reflect.inflationThreshold=2147483647",
			"-Djdk.reflect.useNativeAccessorOnly=true");

	private static final String PROPERTIES_LAUNCHER = "org.springframework.boot.loader.launch.PropertiesLauncher";

	/** Options with a value in the next argument that the lean JVM takes over. */
	private static final Set<String> KEPT_WITH_VALUE = Set.of("--add-opens", "--add-exports", "--add-reads");

	private static final int O_RDONLY = 0;

	private LeanExec() {
	}

	/**
	 * Replace this JVM by the one the command line describes, handing it over.
	 * @param handOff what the new JVM needs, its sockets among them
	 * @param command how to start it: {@link #command}, whose {@code %FD%} is replaced by
	 * the hand-off's descriptor
	 * @param spawner marks the descriptors close-on-exec
	 * @return why the exec did not happen (it returns only then)
	 */
	public static String exec(HandOff handOff, List<String> command, Spawner spawner) {
		if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
			return "not Linux";
		}
		if (!Files.isExecutable(Path.of(command.get(0)))) {
			return "no java executable at " + command.get(0);
		}
		POSIX posix;
		try {
			posix = POSIXFactory.getNativePOSIX();
		}
		catch (RuntimeException | LinkageError ex) {
			return "no native POSIX access: " + ex;
		}
		int fd = -1;
		try {
			fd = openHandOff(posix, handOff.encode());
			spawner.markAllCloseOnExec();
			List<Integer> kept = new ArrayList<>();
			kept.add(fd);
			handOff.sockets().forEach((socket) -> kept.add(socket.fd()));
			for (int keep : kept) {
				if (!spawner.keepOnExec(keep)) {
					return "cannot clear close-on-exec on fd " + keep + ": errno " + posix.errno();
				}
			}
			String handOffFd = Integer.toString(fd);
			String[] argv = command.stream()
				.map((argument) -> argument.replace("%FD%", handOffFd))
				.toArray(String[]::new);
			System.out.flush();
			System.err.flush();
			posix.execv(argv[0], argv);
			return "execv of " + argv[0] + " failed: errno " + posix.errno();
		}
		catch (IOException | RuntimeException ex) {
			return "cannot hand over: " + ex;
		}
		finally {
			if (fd >= 0) {
				posix.close(fd);
			}
			// The sockets are close-on-exec again when the in-JVM master spawns.
		}
	}

	private static int openHandOff(POSIX posix, byte[] bytes) throws IOException {
		Path file = Files.createTempFile("jproc-master-", ".hand-off");
		try {
			Files.write(file, bytes);
			int fd = posix.open(file.toString(), O_RDONLY, 0);
			if (fd < 0) {
				throw new IOException("cannot open " + file + ": errno " + posix.errno());
			}
			return fd;
		}
		finally {
			Files.deleteIfExists(file);
		}
	}

	/**
	 * In the new JVM: read the hand-off and close its descriptor.
	 * @return the hand-off
	 * @throws IllegalStateException if this JVM was not given one, or cannot read it
	 */
	public static HandOff receive() {
		String property = System.getProperty(HAND_OFF_FD);
		if (property == null) {
			throw new IllegalStateException("jproc: " + LEAN_MAIN + " runs only as the lean master, started by "
					+ "the application's own master (-D" + HAND_OFF_FD + " is missing)");
		}
		int fd = Integer.parseInt(property);
		try {
			return HandOff.decode(Files.readAllBytes(Path.of("/proc/self/fd/" + fd)));
		}
		catch (IOException ex) {
			throw new IllegalStateException("jproc: cannot read the lean master's hand-off from fd " + fd, ex);
		}
		finally {
			POSIXFactory.getNativePOSIX().close(fd);
		}
	}

	/**
	 * The lean JVM's command line.
	 * @param javaHome the JDK or JRE to run ({@code java.home})
	 * @param feature the Java release
	 * @param applicationCommand the application's command line, executable first
	 * @param classPath the class path to run with ({@code java.class.path})
	 * @param bootJar whether the class path is a Spring Boot jar (or directory) whose
	 * loader must open it
	 * @param maxHeapBytes the heap the master may use at most
	 * @param extraJvmArgs {@code jproc.master.jvm-args}, after jproc's own options
	 * @return the command line, {@code %FD%} standing for the hand-off's descriptor
	 */
	public static List<String> command(String javaHome, int feature, List<String> applicationCommand, String classPath,
			boolean bootJar, long maxHeapBytes, List<String> extraJvmArgs) {
		List<String> argv = new ArrayList<>();
		argv.add(Path.of(javaHome, "bin", "java").toString());
		// Measured with bench/master-memory.sh (docs/PITFALLS.md): C1 compiling the whole
		// start-up costs the master more than 10 MB of RSS; compiling only what stays hot
		// (twenty times the usual thresholds) keeps the loop and the codec compiled.
		argv.addAll(List.of("-XX:+UseSerialGC", "-Xms8m", "-Xmn2m", "-Xmx" + Math.max(16, maxHeapBytes >> 20) + "m",
				"-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20", "-XX:TieredStopAtLevel=1",
				"-XX:CICompilerCount=1", "-XX:CompileThresholdScaling=20", "-XX:ReservedCodeCacheSize=16m", "-Xss512k",
				"-XX:MaxMetaspaceSize=128m", "-XX:-UsePerfData"));
		argv.addAll(NATIVE_REFLECTION);
		List<String> options = WorkerCommand.jvmOptions(applicationCommand);
		for (int i = 0; i < options.size(); i++) {
			String option = options.get(i);
			if (KEPT_WITH_VALUE.contains(option) && i + 1 < options.size()) {
				argv.add(option);
				argv.add(options.get(++i));
			}
			else if (kept(option)) {
				argv.add(option);
			}
		}
		argv.addAll(extraJvmArgs);
		argv.addAll(WorkerCommand.nativeAccess(feature, argv));
		argv.add("-D" + HAND_OFF_FD + "=%FD%");
		argv.add("-D" + LOG_FACTORY + "=" + LeanLogFactory.class.getName());
		argv.add("-cp");
		argv.add(classPath);
		if (bootJar) {
			argv.add("-Dloader.main=" + LEAN_MAIN);
			argv.add(PROPERTIES_LAUNCHER);
		}
		else {
			argv.add(LEAN_MAIN);
		}
		return argv;
	}

	private static boolean kept(String option) {
		if (option.startsWith("-D")) {
			return !option.startsWith("-Dloader.") && !option.startsWith("-D" + LOG_FACTORY + "=")
					&& !option.startsWith("-D" + HAND_OFF_FD + "=");
		}
		return option.startsWith("--add-opens=") || option.startsWith("--add-exports=")
				|| option.startsWith("--add-reads=") || option.startsWith("--enable-native-access")
				|| option.startsWith("--sun-misc-unsafe-memory-access") || option.startsWith("-Djava.");
	}

	/**
	 * Why this JVM's class path cannot start the lean master, or {@code null} when it
	 * can.
	 * @param classPath {@code java.class.path}
	 * @param modulePath {@code jdk.module.path}
	 * @return the reason, {@code null} for none
	 */
	public static @Nullable String unusableClassPath(@Nullable String classPath, @Nullable String modulePath) {
		if (modulePath != null && !modulePath.isEmpty()) {
			return "the application runs on the module path";
		}
		if (classPath == null || classPath.isEmpty()) {
			return "java.class.path is empty";
		}
		return null;
	}

}
