package io.jproc.master.lean;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The lean master's commons-logging: named by
 * {@code -Dorg.apache.commons.logging.LogFactory} on its command line, so that no logging
 * system (Logback, Log4j) is loaded or configured. Lines follow Spring Boot's default
 * console pattern ({@code CONSOLE_LOG_PATTERN} of Boot's {@code defaults.xml}): date with
 * offset, level, pid, {@code ---}, application name and group, thread, abbreviated logger
 * name, message, colored when Boot's {@code AnsiOutput} was on in the application's JVM.
 * Levels are the application's {@code logging.level.*}; a logging configuration file or
 * {@code logging.pattern.*} is not honoured. Lines go to standard output through a
 * {@link ConsoleOutput}: no thread of the master waits on a blocked output.
 */
public final class LeanLogFactory extends LogFactory {

	private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

	private static final String[] LEVELS = { "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF" };

	private static final String FAINT = "\u001b[2m";

	private static final String RESET = "\u001b[0;39m";

	private static volatile Settings settings = new Settings(Map.of(), "", false, "%5p");

	private static final ConsoleOutput output = new ConsoleOutput(System.out, ConsoleOutput.CAPACITY,
			LeanLogFactory::droppedNotice);

	private final Map<String, Log> logs = new ConcurrentHashMap<>();

	private final Map<String, Object> attributes = new ConcurrentHashMap<>();

	/**
	 * Take the application's logging settings, as the hand-off carries them.
	 * @param logging {@code level.<logger>}, {@code name}, {@code group}, {@code ansi}
	 */
	public static void configure(Map<String, String> logging) {
		Map<String, Integer> levels = new TreeMap<>();
		logging.forEach((key, value) -> {
			if (key.startsWith("level.")) {
				int level = level(value);
				if (level >= 0) {
					levels.put(key.substring("level.".length()).toLowerCase(java.util.Locale.ROOT).equals("root") ? ""
							: key.substring("level.".length()), level);
				}
			}
		});
		StringBuilder prefix = new StringBuilder();
		for (String key : new String[] { "name", "group" }) {
			String value = logging.get(key);
			if (value != null && !value.isEmpty()) {
				prefix.append('[').append(value).append("] ");
			}
		}
		settings = new Settings(levels, prefix.toString(), Boolean.parseBoolean(logging.get("ansi")),
				logging.getOrDefault("level-pattern", "%5p"));
	}

	/**
	 * Write what is queued for standard output, waiting at most {@code millis}: before
	 * the master exits.
	 * @param millis the bound
	 * @return whether everything was written (else the output takes nothing)
	 */
	public static boolean flush(long millis) {
		return output.flush(millis);
	}

	static String droppedNotice(long dropped) {
		Settings current = settings;
		return format(ZonedDateTime.now(), 3, ProcessHandle.current().pid(), "jproc-log", ConsoleOutput.class.getName(),
				"jproc master: " + dropped + " log lines dropped: standard output took nothing for a while "
						+ "(its reader was slow or stopped; the master never waits on it)",
				current.prefix(), current.ansi(), current.levelPattern()) + System.lineSeparator();
	}

	private static int level(String name) {
		String upper = name.trim().toUpperCase(java.util.Locale.ROOT);
		if (upper.equals("FATAL")) {
			return 4;
		}
		for (int i = 0; i < LEVELS.length; i++) {
			if (LEVELS[i].equals(upper)) {
				return i;
			}
		}
		return -1;
	}

	/**
	 * The level a logger logs at: the configured level of its closest ancestor, else the
	 * root's, else INFO.
	 * @param levels configured levels, the root as {@code ""}
	 * @param name the logger's name
	 * @return the index in TRACE, DEBUG, INFO, WARN, ERROR, OFF
	 */
	static int effectiveLevel(Map<String, Integer> levels, String name) {
		String candidate = name;
		while (true) {
			Integer level = levels.get(candidate);
			if (level != null) {
				return level;
			}
			if (candidate.isEmpty()) {
				return 2;
			}
			int dot = candidate.lastIndexOf('.');
			candidate = (dot < 0) ? "" : candidate.substring(0, dot);
		}
	}

	/**
	 * A logger name shortened as Logback's {@code %logger{39}} does: leading package
	 * names cut to their first letter, left to right, until the name fits.
	 * @param name the full name
	 * @param target the length to fit in
	 * @return the abbreviated name
	 */
	static String abbreviate(String name, int target) {
		if (name.length() <= target) {
			return name;
		}
		String[] parts = name.split("\\.", -1);
		int length = name.length();
		StringBuilder out = new StringBuilder();
		for (int i = 0; i < parts.length - 1; i++) {
			String part = parts[i];
			if (length > target && part.length() > 1) {
				out.append(part.charAt(0));
				length -= part.length() - 1;
			}
			else {
				out.append(part);
			}
			out.append('.');
		}
		return out.append(parts[parts.length - 1]).toString();
	}

	/**
	 * One log line, without its line separator.
	 * @param when the time
	 * @param level the level's index
	 * @param pid the process id
	 * @param thread the thread's name
	 * @param logger the logger's name
	 * @param message the message
	 * @param prefix the application name and group, in brackets, each followed by a space
	 * @param ansi whether to color it
	 * @param levelPattern {@code logging.pattern.level} ({@code [master] %5p} in a
	 * master), of which {@code %5p} and {@code %p} are understood
	 * @return the line
	 */
	static String format(ZonedDateTime when, int level, long pid, String thread, String logger, String message,
			String prefix, boolean ansi, String levelPattern) {
		String threadField = String.format("%15s", fit(thread, 15));
		String loggerField = String.format("%-40s", fit(abbreviate(logger, 39), 40));
		String levelField = levelPattern.replace("%5p", String.format("%5s", LEVELS[level]))
			.replace("%p", LEVELS[level]);
		if (!ansi) {
			return DATE.format(when) + " " + levelField + " " + pid + " --- " + prefix + "[" + threadField + "] "
					+ loggerField + " : " + message;
		}
		String levelColor = (level >= 4) ? "\u001b[31m" : (level == 3) ? "\u001b[33m" : "\u001b[32m";
		return FAINT + DATE.format(when) + RESET + " " + levelColor + levelField + RESET + " \u001b[35m" + pid + RESET
				+ " " + FAINT + "--- " + prefix + "[" + threadField + "] " + RESET + "\u001b[36m" + loggerField + RESET
				+ " " + FAINT + ":" + RESET + " " + message;
	}

	private static String fit(String text, int max) {
		return (text.length() > max) ? text.substring(text.length() - max) : text;
	}

	@Override
	public Log getInstance(Class<?> type) {
		return getInstance(type.getName());
	}

	@Override
	public Log getInstance(String name) {
		return this.logs.computeIfAbsent(name, LeanLog::new);
	}

	@Override
	public @Nullable Object getAttribute(String name) {
		return this.attributes.get(name);
	}

	@Override
	public String[] getAttributeNames() {
		return this.attributes.keySet().toArray(String[]::new);
	}

	@Override
	public void release() {
		this.logs.clear();
	}

	@Override
	public void removeAttribute(String name) {
		this.attributes.remove(name);
	}

	@Override
	public void setAttribute(String name, @Nullable Object value) {
		if (value == null) {
			this.attributes.remove(name);
		}
		else {
			this.attributes.put(name, value);
		}
	}

	private record Settings(Map<String, Integer> levels, String prefix, boolean ansi, String levelPattern) {

	}

	/**
	 * One logger: its level is looked up on each call, so a configuration applies to
	 * loggers made before it.
	 */
	private static final class LeanLog implements Log {

		private final String name;

		LeanLog(String name) {
			this.name = name;
		}

		private boolean enabled(int level) {
			return level >= effectiveLevel(settings.levels(), this.name);
		}

		private void log(int level, @Nullable Object message, @Nullable Throwable ex) {
			if (!enabled(level)) {
				return;
			}
			Settings current = settings;
			String line = format(ZonedDateTime.now(), level, ProcessHandle.current().pid(),
					Thread.currentThread().getName(), this.name, String.valueOf(message), current.prefix(),
					current.ansi(), current.levelPattern());
			StringBuilder text = new StringBuilder(line).append(System.lineSeparator());
			if (ex != null) {
				StringWriter trace = new StringWriter();
				ex.printStackTrace(new PrintWriter(trace));
				text.append(trace);
			}
			output.print(text.toString());
		}

		@Override
		public void trace(@Nullable Object message) {
			log(0, message, null);
		}

		@Override
		public void trace(@Nullable Object message, @Nullable Throwable ex) {
			log(0, message, ex);
		}

		@Override
		public void debug(@Nullable Object message) {
			log(1, message, null);
		}

		@Override
		public void debug(@Nullable Object message, @Nullable Throwable ex) {
			log(1, message, ex);
		}

		@Override
		public void info(@Nullable Object message) {
			log(2, message, null);
		}

		@Override
		public void info(@Nullable Object message, @Nullable Throwable ex) {
			log(2, message, ex);
		}

		@Override
		public void warn(@Nullable Object message) {
			log(3, message, null);
		}

		@Override
		public void warn(@Nullable Object message, @Nullable Throwable ex) {
			log(3, message, ex);
		}

		@Override
		public void error(@Nullable Object message) {
			log(4, message, null);
		}

		@Override
		public void error(@Nullable Object message, @Nullable Throwable ex) {
			log(4, message, ex);
		}

		@Override
		public void fatal(@Nullable Object message) {
			log(4, message, null);
		}

		@Override
		public void fatal(@Nullable Object message, @Nullable Throwable ex) {
			log(4, message, ex);
		}

		@Override
		public boolean isTraceEnabled() {
			return enabled(0);
		}

		@Override
		public boolean isDebugEnabled() {
			return enabled(1);
		}

		@Override
		public boolean isInfoEnabled() {
			return enabled(2);
		}

		@Override
		public boolean isWarnEnabled() {
			return enabled(3);
		}

		@Override
		public boolean isErrorEnabled() {
			return enabled(4);
		}

		@Override
		public boolean isFatalEnabled() {
			return enabled(4);
		}

	}

}
