package io.jproc.sample.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The master's one log line about a retired or killed worker, read back: who, why, and
 * the moments (seconds after the worker asked) its replacement started and was ready and
 * the worker exited.
 *
 * @param pid the retired worker
 * @param verb {@code retired} or {@code killed}
 * @param reason why
 * @param replacementPid its replacement
 * @param startedAt replacement spawned, seconds after asked
 * @param readyAt replacement ready, seconds after asked
 * @param exitedAt worker exited, seconds after asked
 * @param text the whole line
 */
public record RetirementLine(long pid, String verb, String reason, long replacementPid, double startedAt,
		double readyAt, double exitedAt, String text) {

	private static final String LINE = "worker \\d+ \\(pid (%s)\\) (retired|killed) \\((.*?)\\): asked"
			+ "(?:, its turn came \\+[\\d.]+ s)?, replacement pid (\\d+) started \\+([\\d.]+) s and ready "
			+ "\\+([\\d.]+) s, .*?exited \\+([\\d.]+) s with [^\\n]*";

	/**
	 * Wait for the line about a worker.
	 * @param master the master
	 * @param pid the worker
	 * @param timeout the bound
	 * @return the line
	 */
	public static RetirementLine await(MasterProcess master, long pid, Duration timeout) {
		return of(master.awaitLog(Pattern.compile(String.format(LINE, pid)), timeout));
	}

	/**
	 * Every such line in a log.
	 * @param log the log
	 * @return the lines, in order
	 */
	public static List<RetirementLine> all(String log) {
		List<RetirementLine> lines = new ArrayList<>();
		Matcher matcher = Pattern.compile(String.format(LINE, "\\d+")).matcher(log);
		while (matcher.find()) {
			lines.add(of(matcher));
		}
		return lines;
	}

	private static RetirementLine of(Matcher m) {
		return new RetirementLine(Long.parseLong(m.group(1)), m.group(2), m.group(3), Long.parseLong(m.group(4)),
				Double.parseDouble(m.group(5)), Double.parseDouble(m.group(6)), Double.parseDouble(m.group(7)),
				m.group());
	}

	/**
	 * Whether the master spawned the replacement before the worker wrote one of its last
	 * lines (Boot's "Graceful shutdown complete", after which it exits) to the shared
	 * output: both lines are in one file, in the order they happened.
	 * @param log the log
	 * @return {@code true} if the replacement's "started" line comes first
	 */
	public boolean replacementStartedBeforeExit(String log) {
		int started = log.indexOf("(pid " + this.replacementPid + ") started");
		Matcher lastWords = Pattern.compile(" " + this.pid + " --- .*Graceful shutdown complete").matcher(log);
		return started >= 0 && lastWords.find() && started < lastWords.start();
	}

}
