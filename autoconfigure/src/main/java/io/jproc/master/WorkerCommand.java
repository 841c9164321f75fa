package io.jproc.master;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The command line of a worker: the master's own command line with the worker's extra
 * JVM options inserted after the master's JVM options, so that they take precedence.
 */
final class WorkerCommand {

	/** Launcher options whose value is the next argument. */
	private static final Set<String> OPTIONS_WITH_VALUE = Set.of("-cp", "-classpath", "--class-path", "-p",
			"--module-path", "--upgrade-module-path", "--add-modules", "--add-reads", "--add-exports", "--add-opens",
			"--limit-modules", "--patch-module", "--enable-native-access", "--source");

	private WorkerCommand() {
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
	 */
	static int endOfJvmOptions(List<String> arguments) {
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
	 * The master's own command line.
	 * @return executable and arguments
	 * @throws IllegalStateException if the operating system does not tell them
	 */
	static List<String> current(List<String> extraJvmArgs) {
		ProcessHandle.Info info = ProcessHandle.current().info();
		String command = info.command()
			.orElseThrow(() -> new IllegalStateException("cannot read this process's command to start workers"));
		List<String> arguments = info.arguments().map(List::of).orElse(List.of());
		return of(command, arguments, extraJvmArgs);
	}

}
