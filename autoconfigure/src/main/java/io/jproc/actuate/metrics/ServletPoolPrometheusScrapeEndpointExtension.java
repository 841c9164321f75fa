package io.jproc.actuate.metrics;

import java.time.Duration;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusOutputFormat;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusScrapeEndpoint;

/**
 * The pool-wide {@code /actuator/prometheus} of
 * {@link PoolPrometheusScrapeEndpointExtension} in a Spring MVC application (Tomcat,
 * Jetty). Spring Boot's MVC endpoint adapter unwraps a {@link WebEndpointResponse} only
 * when the operation returns it directly (a {@code Mono} of one failed with HTTP 500), so
 * this blocks a request thread for the gathering, which is itself bounded by
 * {@code jproc.ipc.scrape-timeout} and {@code jproc.ipc.request-timeout}. A refused
 * scrape is a 503 whose body says when to retry; the {@code Retry-After} header is set on
 * WebFlux only.
 */
@EndpointWebExtension(endpoint = PrometheusScrapeEndpoint.class)
public class ServletPoolPrometheusScrapeEndpointExtension {

	private final PoolPrometheusScrapeEndpointExtension pool;

	private final Duration bound;

	/**
	 * Create the extension.
	 * @param pool the gathering and merging of the pool's metrics
	 * @param bound the longest a request waits, beyond the gathering's own deadlines
	 */
	public ServletPoolPrometheusScrapeEndpointExtension(PoolPrometheusScrapeEndpointExtension pool, Duration bound) {
		this.pool = pool;
		this.bound = bound;
	}

	/**
	 * Scrape the pool, see {@link PoolPrometheusScrapeEndpointExtension#scrape}.
	 * @param format the format the scraper accepts; protobuf is answered in text
	 * @param includedNames only these series, {@code null} for all
	 * @return the merged exposition text, or a 503 when this worker already gathers
	 * {@link SharedScrapes#MAX_GATHERINGS} different scrapes
	 */
	@ReadOperation(producesFrom = PrometheusOutputFormat.class)
	public @Nullable WebEndpointResponse<byte[]> scrape(PrometheusOutputFormat format,
			@Nullable Set<String> includedNames) {
		return this.pool.scrape(format, includedNames).block(this.bound);
	}

}
