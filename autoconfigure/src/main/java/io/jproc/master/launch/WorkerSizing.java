package io.jproc.master.launch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The JVM options that size each worker to its share of the machine: processors (so that
 * Netty's event loops, GC and JIT threads, and the common pool follow) and the default
 * initial and maximum heap. A JVM sizes itself to the whole machine by default, so N
 * workers would run N times the threads, start with N times the initial heap (whose young
 * generation a worker touches entirely before its first collection: most of an idle
 * worker's memory) and may grow to N quarters of the memory. Options the user set
 * anywhere a worker sees them win.
 */
final class WorkerSizing {

	/** The JVM's default {@code MaxRAMPercentage}. */
	static final double DEFAULT_MAX_RAM_PERCENTAGE = 25.0;

	/** The JVM's default {@code InitialRAMPercentage} (1/64 of memory). */
	static final double DEFAULT_INITIAL_RAM_PERCENTAGE = 1.5625;

	private static final List<String> HEAP_OPTIONS = List.of("-Xmx", "-XX:MaxHeapSize=", "-XX:MaxRAMPercentage=",
			"-XX:MaxRAM=", "-XX:MaxRAMFraction=");

	private static final List<String> INITIAL_HEAP_OPTIONS = List.of("-Xms", "-XX:InitialHeapSize=",
			"-XX:InitialRAMPercentage=", "-XX:InitialRAMFraction=", "-XX:MinHeapSize=");

	private static final String PROCESSORS_OPTION = "-XX:ActiveProcessorCount=";

	private final List<String> options;

	private final String description;

	private WorkerSizing(List<String> options, String description) {
		this.options = options;
		this.description = description;
	}

	/**
	 * Choose the options.
	 * @param jvmOptions every JVM option a worker will get (the master's, then
	 * {@code jproc.worker.jvm-args}) and those of {@code JDK_JAVA_OPTIONS} and
	 * {@code JAVA_TOOL_OPTIONS}
	 * @param processors the processors the master may use (affinity and container limits
	 * included, as {@link Runtime#availableProcessors()} reports them)
	 * @param workers the number of workers
	 * @return the sizing
	 */
	static WorkerSizing choose(List<String> jvmOptions, int processors, int workers) {
		return choose(jvmOptions, processors, workers, 0);
	}

	/**
	 * Choose the options for each worker and spare: processors are shared by the workers
	 * (a waiting spare uses none, and one that takes a slot serves like the worker it
	 * replaces), the default heap by the workers and spares (each may fill its heap).
	 * @param jvmOptions every JVM option a worker will see
	 * @param processors the processors the master may use
	 * @param workers the number of workers
	 * @param spares the number of spare workers
	 * @return the sizing
	 */
	static WorkerSizing choose(List<String> jvmOptions, int processors, int workers, int spares) {
		List<String> options = new ArrayList<>(2);
		List<String> said = new ArrayList<>(2);
		if (jvmOptions.stream().anyMatch((option) -> option.startsWith(PROCESSORS_OPTION))) {
			said.add("processors as set by " + find(jvmOptions, List.of(PROCESSORS_OPTION)));
		}
		else {
			int share = Math.max(1, processors / Math.max(1, workers));
			options.add(PROCESSORS_OPTION + share);
			said.add(PROCESSORS_OPTION + share + " (" + processors + " processors / " + workers + " workers)");
		}
		int sharing = Math.max(1, workers + spares);
		String sharedBy = " shared by " + workers + " workers" + ((spares > 0) ? " and " + spares + " spares" : "")
				+ ")";
		String heap = find(jvmOptions, HEAP_OPTIONS);
		if (heap != null) {
			said.add("heap as set by " + heap);
		}
		else {
			String percentage = percentage(DEFAULT_MAX_RAM_PERCENTAGE / sharing);
			options.add("-XX:MaxRAMPercentage=" + percentage);
			said.add("-XX:MaxRAMPercentage=" + percentage + " (the JVM's default " + (int) DEFAULT_MAX_RAM_PERCENTAGE
					+ "% of memory" + sharedBy);
		}
		String initial = find(jvmOptions, INITIAL_HEAP_OPTIONS);
		if (initial != null) {
			said.add("initial heap as set by " + initial);
		}
		else {
			String percentage = percentage(DEFAULT_INITIAL_RAM_PERCENTAGE / sharing);
			options.add("-XX:InitialRAMPercentage=" + percentage);
			said.add("-XX:InitialRAMPercentage=" + percentage + " (the JVM's default 1/64 of memory" + sharedBy);
		}
		return new WorkerSizing(List.copyOf(options), String.join(" and ", said));
	}

	/**
	 * Compact object headers on a runtime where they are a product feature (JDK 25 and
	 * later, JEP 519): an object header of 8 bytes instead of 12, which each worker pays
	 * on its own heap. The JDK ships a class archive built with them, so sharing is kept.
	 * Not added when the user's options say either way.
	 * @param runtimeFeature the Java release of the workers, such as 17 or 25
	 * @param jvmOptions the options a worker sees
	 * @return {@code -XX:+UseCompactObjectHeaders} or nothing
	 */
	static List<String> objectHeaders(int runtimeFeature, List<String> jvmOptions) {
		if (runtimeFeature < 25
				|| jvmOptions.stream().anyMatch((option) -> option.endsWith("UseCompactObjectHeaders"))) {
			return List.of();
		}
		return List.of("-XX:+UseCompactObjectHeaders");
	}

	/**
	 * No sizing at all ({@code jproc.worker.right-size=false}).
	 * @return options that add nothing
	 */
	static WorkerSizing off() {
		return new WorkerSizing(List.of(), "the JVM's own sizing (jproc.worker.right-size=false)");
	}

	/**
	 * The options of {@code JDK_JAVA_OPTIONS} and {@code JAVA_TOOL_OPTIONS}, which every
	 * worker inherits with the environment.
	 * @param variables the environment
	 * @return the options, split on white space
	 */
	static List<String> environmentOptions(java.util.Map<String, String> variables) {
		List<String> options = new ArrayList<>();
		for (String name : List.of("JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS")) {
			String value = variables.get(name);
			if (value != null && !value.isBlank()) {
				options.addAll(Arrays.asList(value.trim().split("\\s+")));
			}
		}
		return options;
	}

	private static String find(List<String> jvmOptions, List<String> prefixes) {
		String found = null;
		for (String option : jvmOptions) {
			for (String prefix : prefixes) {
				if (option.startsWith(prefix)) {
					found = option;
				}
			}
		}
		return found;
	}

	private static String percentage(double value) {
		String text = String.format(Locale.ROOT, "%.3f", value);
		text = text.replaceAll("0+$", "");
		return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
	}

	/**
	 * A command line with one sizing's options replaced by another's, in place.
	 * @param argv the command line, holding the options of {@code from}
	 * @param from the sizing it was built with
	 * @param to the sizing it should have
	 * @return the new command line
	 */
	static List<String> replace(List<String> argv, WorkerSizing from, WorkerSizing to) {
		List<String> replaced = new ArrayList<>(argv);
		for (String option : from.options) {
			int at = replaced.indexOf(option);
			String prefix = option.substring(0, option.indexOf('=') + 1);
			String wanted = to.options.stream()
				.filter((candidate) -> candidate.startsWith(prefix))
				.findFirst()
				.orElse(null);
			if (at >= 0 && wanted != null) {
				replaced.set(at, wanted);
			}
		}
		return List.copyOf(replaced);
	}

	List<String> options() {
		return this.options;
	}

	/**
	 * What was chosen, in words, for the master's log.
	 * @return the description
	 */
	String describe() {
		return this.description;
	}

}
