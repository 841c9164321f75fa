package io.jproc.actuate.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Merges the exposition texts of several workers (Prometheus text 0.0.4 or OpenMetrics
 * 1.0.0) into one scrape: every sample gets a {@code worker="N"} label, the lines of one
 * metric family stay together with its metadata written once, and pool-level families
 * ({@code jproc_pool_*}, the same in every worker) appear once, unlabelled, from the
 * answering worker. A part that is missing or cannot be read is left out whole; the
 * scrape says so in {@code jproc_pool_scrape_success} and, for the Prometheus text
 * format, in a comment.
 */
final class PrometheusScrapeMerger {

	static final String POOL_FAMILY_PREFIX = "jproc_pool_";

	static final String SUCCESS_FAMILY = POOL_FAMILY_PREFIX + "scrape_success";

	private static final Pattern METADATA = Pattern.compile("^# (HELP|TYPE|UNIT) ([a-zA-Z_:][a-zA-Z0-9_:]*)(?: .*)?$");

	private static final Pattern SAMPLE = Pattern.compile(
			"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{.*\\})?[ \\t]+([-+]?(?:[0-9.]+(?:[eE][-+]?[0-9]+)?|NaN|Inf))(?:[ \\t].*)?$");

	private PrometheusScrapeMerger() {
	}

	/**
	 * Merge the parts.
	 * @param parts the answering worker's part first, then the others
	 * @param openMetrics whether the texts are OpenMetrics (ends with {@code # EOF}, no
	 * free comments)
	 * @return the merged exposition text and why parts were left out
	 */
	static Merged merge(List<Part> parts, boolean openMetrics) {
		Map<String, Family> families = new LinkedHashMap<>();
		List<String> errors = new ArrayList<>();
		List<String> success = new ArrayList<>();
		boolean first = true;
		for (Part part : parts) {
			String error = part.error();
			if (error == null) {
				try {
					add(families, parse(part.text(), part.workerId(), first));
				}
				catch (IllegalArgumentException ex) {
					error = "unreadable metrics: " + ex.getMessage();
				}
			}
			if (error != null) {
				errors.add("worker " + part.workerId() + " (pid " + part.pid() + ") left out of this scrape: " + error);
			}
			success.add(SUCCESS_FAMILY + "{worker=\"" + part.workerId() + "\"} " + ((error != null) ? "0" : "1"));
			first = false;
		}
		StringBuilder out = new StringBuilder();
		if (!openMetrics) {
			errors.forEach((error) -> out.append("# jproc: ").append(error.replace('\n', ' ')).append('\n'));
		}
		for (Family family : families.values()) {
			family.metadata.forEach((line) -> out.append(line).append('\n'));
			family.samples.forEach((line) -> out.append(line).append('\n'));
		}
		out.append("# HELP ")
			.append(SUCCESS_FAMILY)
			.append(" Whether the worker's metrics are in this scrape (1) or were left out (0)\n");
		out.append("# TYPE ").append(SUCCESS_FAMILY).append(" gauge\n");
		success.forEach((line) -> out.append(line).append('\n'));
		if (openMetrics) {
			out.append("# EOF\n");
		}
		return new Merged(out.toString(), errors);
	}

	/**
	 * Read one worker's text into families, labelling its samples. All or nothing: a bad
	 * line rejects the whole part, so that a scrape never holds half a worker.
	 * @param text the worker's scrape text
	 * @param workerId the worker id to label its samples with
	 * @param answering whether this worker answers for the pool: its {@code jproc_pool_*}
	 * families are kept only then
	 * @return the families by name, in the order they appear
	 */
	private static Map<String, Family> parse(@Nullable String text, int workerId, boolean answering) {
		if (text == null) {
			throw new IllegalArgumentException("no text");
		}
		Map<String, Family> families = new LinkedHashMap<>();
		Family current = null;
		int number = 0;
		for (String line : text.split("\n", -1)) {
			number++;
			if (line.isBlank()) {
				continue;
			}
			if (line.startsWith("#")) {
				if (line.equals("# EOF")) {
					break;
				}
				Matcher metadata = METADATA.matcher(line);
				if (metadata.matches()) {
					String name = metadata.group(2);
					current = families.computeIfAbsent(name, Family::new);
					current.metadata.add(line);
				}
				continue;
			}
			Matcher sample = SAMPLE.matcher(line);
			if (!sample.matches()) {
				throw new IllegalArgumentException("line " + number + " is no sample: '" + shorten(line) + "'");
			}
			String name = sample.group(1);
			if (current == null || !belongsTo(name, current.name)) {
				current = families.computeIfAbsent(name, Family::new);
			}
			if (current.name.startsWith(POOL_FAMILY_PREFIX)) {
				if (answering) {
					current.samples.add(line);
				}
			}
			else {
				current.samples.add(label(line, name, sample.group(2), workerId));
			}
		}
		families.values().removeIf((family) -> family.name.startsWith(POOL_FAMILY_PREFIX) && !answering);
		families.remove(SUCCESS_FAMILY);
		return families;
	}

	private static void add(Map<String, Family> into, Map<String, Family> part) {
		for (Family family : part.values()) {
			Family merged = into.get(family.name);
			if (merged == null) {
				into.put(family.name, family);
			}
			else {
				if (merged.metadata.isEmpty()) {
					merged.metadata.addAll(family.metadata);
				}
				merged.samples.addAll(family.samples);
			}
		}
	}

	private static boolean belongsTo(String sample, String family) {
		return sample.equals(family) || (sample.startsWith(family) && sample.charAt(family.length()) == '_');
	}

	private static String label(String line, String name, @Nullable String labels, int workerId) {
		String worker = "worker=\"" + workerId + "\"";
		if (labels == null) {
			return name + "{" + worker + "}" + line.substring(name.length());
		}
		String rest = line.substring(name.length() + 1);
		return name + "{" + worker + (rest.startsWith("}") ? "" : ",") + rest;
	}

	private static String shorten(String line) {
		String printable = line.replaceAll("[^\\x20-\\x7e]", "?");
		return (printable.length() <= 80) ? printable : printable.substring(0, 80) + "...";
	}

	/**
	 * One worker's part of a scrape.
	 *
	 * @param workerId the worker id
	 * @param pid the worker's pid
	 * @param text its exposition text, {@code null} if it has none
	 * @param error why it has none
	 */
	record Part(int workerId, long pid, @Nullable String text, @Nullable String error) {
	}

	/**
	 * A merged scrape.
	 *
	 * @param text the exposition text
	 * @param errors one line per part left out
	 */
	record Merged(String text, List<String> errors) {
	}

	private static final class Family {

		private final String name;

		private final List<String> metadata = new ArrayList<>();

		private final List<String> samples = new ArrayList<>();

		Family(String name) {
			this.name = name;
		}

	}

}
