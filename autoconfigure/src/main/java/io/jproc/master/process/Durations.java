package io.jproc.master.process;

import java.time.Duration;
import java.util.Locale;

/**
 * How the master's log lines and errors write a duration: seconds with one decimal.
 */
public final class Durations {

	private Durations() {
	}

	/**
	 * Format a duration for a log line.
	 * @param duration the duration
	 * @return for example {@code "2.5 s"}
	 */
	public static String seconds(Duration duration) {
		return String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
	}

}
