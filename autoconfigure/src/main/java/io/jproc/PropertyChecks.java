package io.jproc;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.unit.DataSize;

/**
 * The checks of {@link JprocProperties}: each names the full key and says what values are
 * allowed, in the units a user writes them in ({@code 30s}, {@code 1d}, {@code 16MB}), so
 * that the message can be acted on without reading the code.
 */
final class PropertyChecks {

	private PropertyChecks() {
	}

	/**
	 * A whole number within a range.
	 * @param key the full key, such as {@code jproc.backlog}
	 * @param value the value
	 * @param min the smallest value allowed
	 * @param max the largest value allowed
	 * @throws InvalidConfigurationPropertyValueException if the value is outside
	 */
	static void range(String key, long value, long min, long max) {
		if (value < min || value > max) {
			throw invalid(key, value, "must be a whole number from " + min + " to " + max);
		}
	}

	/**
	 * A duration within a range. Negative durations and {@code null} are refused.
	 * @param key the full key
	 * @param value the value
	 * @param min the shortest duration allowed, zero or more
	 * @param max the longest duration allowed
	 * @throws InvalidConfigurationPropertyValueException if the value is outside
	 */
	static void duration(String key, @Nullable Duration value, Duration min, Duration max) {
		if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
			throw invalid(key, value, "must be a duration " + durationRange(min, max));
		}
	}

	/**
	 * A duration that may be left unset (a trigger that is off), else within a range.
	 * @param key the full key
	 * @param value the value, {@code null} when unset
	 * @param min the shortest duration allowed
	 * @param max the longest duration allowed
	 * @param unset what leaving it unset means, for the message
	 * @throws InvalidConfigurationPropertyValueException if the value is outside
	 */
	static void optionalDuration(String key, @Nullable Duration value, Duration min, Duration max, String unset) {
		if (value != null && (value.compareTo(min) < 0 || value.compareTo(max) > 0)) {
			throw invalid(key, value, "must be a duration " + durationRange(min, max) + ", or unset (" + unset + ")");
		}
	}

	/**
	 * A size that may be left unset, else within a range.
	 * @param key the full key
	 * @param value the value, {@code null} when unset
	 * @param min the smallest size allowed
	 * @param max the largest size allowed
	 * @param unset what leaving it unset means, for the message; {@code null} when it
	 * must be set
	 * @throws InvalidConfigurationPropertyValueException if the value is outside
	 */
	static void size(String key, @Nullable DataSize value, DataSize min, DataSize max, @Nullable String unset) {
		boolean missing = value == null && unset == null;
		boolean outside = value != null && (value.compareTo(min) < 0 || value.compareTo(max) > 0);
		if (missing || outside) {
			throw invalid(key, value, "must be a size from " + format(min) + " to " + format(max)
					+ ((unset != null) ? ", or unset (" + unset + ")" : ""));
		}
	}

	/**
	 * Request paths, each starting with {@code /}.
	 * @param key the full key
	 * @param paths the paths
	 * @throws InvalidConfigurationPropertyValueException if a path does not start with
	 * {@code /}
	 */
	static void paths(String key, List<String> paths) {
		for (String path : paths) {
			if (path == null || !path.startsWith("/")) {
				throw invalid(key, paths, "every path must start with '/', such as /api/hello");
			}
		}
	}

	/**
	 * The exception for a wrong value.
	 * @param key the full key
	 * @param value the value
	 * @param reason what is wrong and what is allowed
	 * @return the exception to throw
	 */
	static InvalidConfigurationPropertyValueException invalid(String key, @Nullable Object value, String reason) {
		return new InvalidConfigurationPropertyValueException(key, (value instanceof Duration duration)
				? format(duration) : (value instanceof DataSize size) ? format(size) : value, reason);
	}

	/** A second option in one entry: what a space-separated list in one string gives. */
	private static final java.util.regex.Pattern SECOND_OPTION = java.util.regex.Pattern
		.compile("\\s+(-X|-D|--|-javaagent:|-agentlib:|-agentpath:|-ea\\b|-da\\b|-verbose)");

	/**
	 * JVM options, one per entry: each starts with {@code -} (anything else would become
	 * the JVM's main class), and none holds a second option after a space
	 * ({@code "-Xmx1g -Xms1g"} in one entry, which the JVM refuses as one improperly
	 * specified option, in every worker it boots).
	 * @param key the full key
	 * @param options the entries
	 * @throws InvalidConfigurationPropertyValueException if an entry is not one option
	 */
	static void jvmOptions(String key, java.util.List<String> options) {
		for (String option : options) {
			if (option == null || !option.startsWith("-")) {
				throw invalid(key, option, "each entry must be one JVM option starting with '-', such as -Xmx128m");
			}
			java.util.regex.Matcher second = SECOND_OPTION.matcher(option);
			if (second.find()) {
				throw invalid(key, option,
						"each entry must be one JVM option, and this one holds a second after a space ('"
								+ option.substring(second.start()).trim()
								+ "'): give each option its own entry (a YAML list, or a comma-separated value such as "
								+ option.substring(0, second.start()).trim() + ","
								+ option.substring(second.start()).trim() + ")");
			}
		}
	}

	/**
	 * A range of durations as the error messages say it.
	 * @param min the shortest duration allowed
	 * @param max the longest duration allowed
	 * @return the words, such as {@code from 1s to 1d, such as 500ms, 30s or 5m}
	 */
	static String durationRange(Duration min, Duration max) {
		String examples = ", such as 500ms, 30s or 5m";
		return (min.isZero() ? "from 0s" : "from " + format(min)) + " to " + format(max) + examples;
	}

	/**
	 * A duration as a user writes it, in its largest exact unit: {@code 1d}, {@code 5m},
	 * {@code 35250ms}.
	 * @param duration the duration
	 * @return the text, which Boot binds back to the same duration
	 */
	static String format(Duration duration) {
		if (duration.isZero()) {
			return "0s";
		}
		long nanos = duration.toNanosPart();
		if (nanos % 1_000_000 != 0) {
			return duration.toString();
		}
		long millis = duration.toMillis();
		long[] sizes = { 86_400_000, 3_600_000, 60_000, 1000, 1 };
		String[] units = { "d", "h", "m", "s", "ms" };
		for (int i = 0; i < sizes.length; i++) {
			if (millis % sizes[i] == 0) {
				return (millis / sizes[i]) + units[i];
			}
		}
		return millis + "ms";
	}

	/**
	 * A size as a user writes it, in its largest exact unit: {@code 4MB}, {@code 1B}.
	 * @param size the size
	 * @return the text
	 */
	static String format(DataSize size) {
		long bytes = size.toBytes();
		long[] sizes = { 1L << 40, 1L << 30, 1L << 20, 1L << 10 };
		String[] units = { "TB", "GB", "MB", "KB" };
		for (int i = 0; i < sizes.length; i++) {
			if (bytes != 0 && bytes % sizes[i] == 0) {
				return (bytes / sizes[i]) + units[i];
			}
		}
		return bytes + "B";
	}

}
