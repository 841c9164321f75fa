package io.jproc;

/**
 * Number of worker processes wanted: a non-negative integer, or {@code auto} for one
 * worker per available processor. Bound from {@code jproc.workers}.
 *
 * @param value the resolved count, {@code 0} meaning jproc is off
 * @param auto whether the count was given as {@code auto}
 */
public record WorkerCount(int value, boolean auto) {

	/** Highest count accepted; beyond it a typo is far more likely than a real need. */
	public static final int MAX = 256;

	/** No workers: the application runs as a plain single process. */
	public static final WorkerCount OFF = new WorkerCount(0, false);

	public WorkerCount {
		if (value < 0 || value > MAX) {
			throw new IllegalArgumentException(
					"must be 'auto' or a whole number from 0 to " + MAX + " (0 turns jproc off), was " + value);
		}
	}

	/**
	 * Parse a configured value. Used by Spring's conversion service when binding.
	 * @param text the configured text
	 * @return the count
	 * @throws IllegalArgumentException if the text is neither {@code auto} nor a whole
	 * number from 0 to {@value #MAX}
	 */
	public static WorkerCount valueOf(String text) {
		String trimmed = text.trim();
		if (trimmed.equalsIgnoreCase("auto")) {
			return new WorkerCount(Runtime.getRuntime().availableProcessors(), true);
		}
		try {
			return new WorkerCount(Integer.parseInt(trimmed), false);
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException(
					"must be 'auto' or a whole number from 0 to " + MAX + " (0 turns jproc off), was '" + text + "'");
		}
	}

	/**
	 * Convert a number, as YAML gives it. Used by Spring's conversion service.
	 * @param count the configured number
	 * @return the count
	 * @throws IllegalArgumentException if the number is outside 0 to {@value #MAX}
	 */
	public static WorkerCount valueOf(Integer count) {
		return new WorkerCount(count, false);
	}

	/**
	 * Whether jproc should run a master with workers.
	 * @return {@code true} for a positive count
	 */
	public boolean enabled() {
		return this.value > 0;
	}

	@Override
	public String toString() {
		return this.auto ? "auto (" + this.value + ")" : Integer.toString(this.value);
	}

}
