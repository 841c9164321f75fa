package io.jproc.actuate.metrics;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusOutputFormat;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusScrapeEndpoint;

/**
 * This worker's own metrics as exposition text, from Boot's Prometheus endpoint, in the
 * two text formats a pool scrape can merge.
 */
final class LocalScrape {

	static final String PROMETHEUS = "prometheus";

	static final String OPENMETRICS = "openmetrics";

	private LocalScrape() {
	}

	static String text(PrometheusScrapeEndpoint endpoint, String format, @Nullable Collection<String> includedNames) {
		Set<String> names = (includedNames != null) ? Set.copyOf(includedNames) : null;
		WebEndpointResponse<byte[]> response = endpoint.scrape(outputFormat(format), names);
		byte[] body = response.getBody();
		return (body != null) ? new String(body, StandardCharsets.UTF_8) : "";
	}

	/**
	 * The text format to merge in: OpenMetrics when asked, else Prometheus text (also for
	 * protobuf, which cannot be merged line by line; Prometheus falls back to text).
	 * @param asked the format the scrape asked for
	 * @return the text format to merge in
	 */
	static PrometheusOutputFormat textFormat(PrometheusOutputFormat asked) {
		return (asked == PrometheusOutputFormat.CONTENT_TYPE_OPENMETRICS_100) ? asked
				: PrometheusOutputFormat.CONTENT_TYPE_004;
	}

	static String wireName(PrometheusOutputFormat format) {
		return (format == PrometheusOutputFormat.CONTENT_TYPE_OPENMETRICS_100) ? OPENMETRICS : PROMETHEUS;
	}

	static PrometheusOutputFormat outputFormat(String wireName) {
		return OPENMETRICS.equals(wireName) ? PrometheusOutputFormat.CONTENT_TYPE_OPENMETRICS_100
				: PrometheusOutputFormat.CONTENT_TYPE_004;
	}

}
