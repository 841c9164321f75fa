package io.jproc.actuate.metrics;

import io.jproc.worker.ConditionalOnJprocWorker;
import io.jproc.worker.JprocWorkerAutoConfiguration;
import io.jproc.worker.MasterLink;
import io.jproc.worker.PoolStatusClient;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusScrapeEndpoint;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of pool-wide Prometheus scrapes in a jproc worker: every worker
 * answers the master's requests for its metrics, and {@code /actuator/prometheus} gathers
 * them all.
 */
@AutoConfiguration(after = { JprocWorkerAutoConfiguration.class, PrometheusMetricsExportAutoConfiguration.class })
@ConditionalOnClass(PrometheusScrapeEndpoint.class)
@ConditionalOnJprocWorker
@ConditionalOnBean({ PrometheusScrapeEndpoint.class, MasterLink.class, PoolStatusClient.class })
public final class PoolPrometheusScrapeAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	WorkerScrapeResponder jprocWorkerScrapeResponder(MasterLink link, PrometheusScrapeEndpoint endpoint) {
		return new WorkerScrapeResponder(link, endpoint);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint(PrometheusScrapeEndpoint.class)
	PoolPrometheusScrapeEndpointExtension jprocPoolPrometheusScrapeEndpointExtension(PrometheusScrapeEndpoint endpoint,
			PoolStatusClient client) {
		return new PoolPrometheusScrapeEndpointExtension(endpoint, client);
	}

}
