package io.jproc.master.process;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * The command line of a worker: the master's own command line with the worker's extra JVM
 * options inserted after the master's JVM options, so that they take precedence.
 */
public final class WorkerCommand {

	/** Launcher options whose value is the next argument. */
	private static final Set<String> OPTIONS_WITH_VALUE = Set.of("-cp", "-classpath", "--class-path", "-p",
			"--module-path", "--upgrade-module-path", "--add-modules", "--add-reads", "--add-exports", "--add-opens",
			"--limit-modules", "--patch-module", "--enable-native-access", "--source");

	/** The master's original command line when this JVM is the lean master, else null. */
	private static volatile @Nullable List<String> masterCommand;

	private WorkerCommand() {
	}

	/**
	 * Tell this JVM the command line the application was started with: the lean master
	 * runs another command line than the one its workers must be started from.
	 * @param argv executable first
	 */
	public static void useMasterCommand(List<String> argv) {
		masterCommand = List.copyOf(argv);
	}

	/**
	 * The command line the application was started with: this process's own, unless
	 * {@link #useMasterCommand} said otherwise.
	 * @return executable first
	 * @throws IllegalStateException if the operating system does not tell it
	 */
	public static List<String> masterCommand() {
		List<String> told = masterCommand;
		if (told != null) {
			return told;
		}
		ProcessHandle.Info info = ProcessHandle.current().info();
		String command = info.command()
			.orElseThrow(() -> new IllegalStateException("cannot read this process's command to start workers"));
		List<String> argv = new ArrayList<>();
		argv.add(command);
		argv.addAll(info.arguments().map(List::of).orElse(List.of()));
		return argv;
	}

	/**
	 * Build the worker's command line.
	 * @param command the executable (the master's java)
	 * @param arguments the master's arguments, JVM options first
	 * @param extraJvmArgs options to add for workers
	 * @return the full command line, executable first
	 */
	static List<String> of(String command, List<String> arguments, List<String> extraJvmArgs) {
		List<String> argv = new ArrayList<>(arguments.size() + extraJvmArgs.size() + 1);
		argv.add(command);
		int insertAt = endOfJvmOptions(arguments);
		argv.addAll(arguments.subList(0, insertAt));
		argv.addAll(extraJvmArgs);
		argv.addAll(arguments.subList(insertAt, arguments.size()));
		return argv;
	}

	/**
	 * The index of the first argument that is not a JVM option: {@code -jar}, {@code -m}
	 * or the main class.
	 * @param arguments the arguments, without the executable
	 * @return that index, the number of arguments when there is none
	 */
	public static int endOfJvmOptions(List<String> arguments) {
		int i = 0;
		while (i < arguments.size()) {
			String argument = arguments.get(i);
			if (argument.equals("-jar") || argument.equals("-m") || argument.equals("--module")
					|| argument.startsWith("--module=") || !argument.startsWith("-")) {
				return i;
			}
			i += OPTIONS_WITH_VALUE.contains(argument) ? 2 : 1;
		}
		return Math.min(i, arguments.size());
	}

	/**
	 * The JVM options of a command line.
	 * @param argv executable first
	 * @return the options between the executable and the jar or main class
	 */
	public static List<String> jvmOptions(List<String> argv) {
		List<String> arguments = argv.subList(1, argv.size());
		return List.copyOf(arguments.subList(0, endOfJvmOptions(arguments)));
	}

	/**
	 * The jar a command line runs with {@code -jar}.
	 * @param argv executable first
	 * @return the jar as written, {@code null} when the command does not use {@code -jar}
	 */
	public static @Nullable String jar(List<String> argv) {
		List<String> arguments = argv.subList(1, argv.size());
		int at = endOfJvmOptions(arguments);
		return (at + 1 < arguments.size() && arguments.get(at).equals("-jar")) ? arguments.get(at + 1) : null;
	}

	/**
	 * The same command line running another jar, with more JVM options.
	 * @param argv a command line that uses {@code -jar}, executable first
	 * @param jar the jar to run instead
	 * @param extraJvmArgs options to add after the existing JVM options
	 * @return the new command line
	 */
	public static List<String> withJar(List<String> argv, String jar, List<String> extraJvmArgs) {
		List<String> arguments = argv.subList(1, argv.size());
		int at = endOfJvmOptions(arguments);
		if (jar(argv) == null) {
			throw new IllegalArgumentException("not a -jar command line: " + argv);
		}
		List<String> result = new ArrayList<>(argv.size() + extraJvmArgs.size());
		result.add(argv.get(0));
		result.addAll(arguments.subList(0, at));
		result.addAll(extraJvmArgs);
		result.add("-jar");
		result.add(jar);
		result.addAll(arguments.subList(at + 2, arguments.size()));
		return result;
	}

	/**
	 * The options that let a worker load native code without warnings on a runtime that
	 * restricts it (JDK 22 and later warn, a later release will refuse): Netty's epoll
	 * and jnr's jffi both do.
	 * @param runtimeFeature the Java release, such as 17 or 25
	 * @param jvmOptions the options the worker has already
	 * @return {@code --enable-native-access=ALL-UNNAMED} or nothing
	 */
	public static List<String> nativeAccess(int runtimeFeature, List<String> jvmOptions) {
		if (runtimeFeature < 22
				|| jvmOptions.stream().anyMatch((option) -> option.startsWith("--enable-native-access"))) {
			return List.of();
		}
		return List.of("--enable-native-access=ALL-UNNAMED");
	}

	/**
	 * The module option a worker needs to serve an inherited socket on a server that
	 * takes a {@code java.nio} channel (Tomcat, Jetty): the JDK has no public way to wrap
	 * a descriptor it did not open, see {@code io.jproc.worker.InheritedServerChannel}.
	 * Added unless the user's options already open the package.
	 * @param jvmOptions the options a worker sees
	 * @return the option to add, or none
	 */
	public static List<String> channelAccess(List<String> jvmOptions) {
		if (jvmOptions.stream().anyMatch((option) -> option.contains("java.base/sun.nio.ch="))) {
			return List.of();
		}
		return List.of("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
	}

	/**
	 * The master's own command line.
	 * @param extraJvmArgs the JVM options to add for the workers
	 * @return executable and arguments
	 * @throws IllegalStateException if the operating system does not tell them
	 */
	public static List<String> current(List<String> extraJvmArgs) {
		List<String> argv = masterCommand();
		return of(argv.get(0), argv.subList(1, argv.size()), extraJvmArgs);
	}

}
