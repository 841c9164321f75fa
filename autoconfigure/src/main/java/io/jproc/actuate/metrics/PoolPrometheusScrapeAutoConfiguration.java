package io.jproc.actuate.metrics;

import io.jproc.JprocProperties;
import io.jproc.worker.ConditionalOnJprocWorker;
import io.jproc.worker.JprocWorkerAutoConfiguration;
import io.jproc.worker.MasterLink;
import io.jproc.worker.PoolStatusClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusScrapeEndpoint;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.server.WebFilter;

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
	WorkerScrapeResponder jprocWorkerScrapeResponder(MasterLink link, PrometheusScrapeEndpoint endpoint,
			ObjectProvider<JprocProperties> properties) {
		return new WorkerScrapeResponder(link, endpoint,
				properties.getIfAvailable(JprocProperties::new).getIpc().getScrapeTimeout());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint(PrometheusScrapeEndpoint.class)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
	PoolPrometheusScrapeEndpointExtension jprocPoolPrometheusScrapeEndpointExtension(PrometheusScrapeEndpoint endpoint,
			PoolStatusClient client) {
		return new PoolPrometheusScrapeEndpointExtension(endpoint, client);
	}

	/**
	 * Spring MVC's endpoint adapter does not unwrap a {@code Mono} of a response: a
	 * servlet application gets the blocking variant (one extension per endpoint).
	 * @param endpoint the endpoint of Spring Boot
	 * @param client asks the master
	 * @param properties {@code jproc.*}, for the deadlines
	 * @return the extension
	 */
	@Bean
	@ConditionalOnMissingBean({ PoolPrometheusScrapeEndpointExtension.class,
			ServletPoolPrometheusScrapeEndpointExtension.class })
	@ConditionalOnAvailableEndpoint(PrometheusScrapeEndpoint.class)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	ServletPoolPrometheusScrapeEndpointExtension jprocServletPoolPrometheusScrapeEndpointExtension(
			PrometheusScrapeEndpoint endpoint, PoolStatusClient client, ObjectProvider<JprocProperties> properties) {
		JprocProperties.Ipc ipc = properties.getIfAvailable(JprocProperties::new).getIpc();
		return new ServletPoolPrometheusScrapeEndpointExtension(
				new PoolPrometheusScrapeEndpointExtension(endpoint, client),
				ipc.getRequestTimeout().plus(ipc.getScrapeTimeout()).plusSeconds(5));
	}

	/**
	 * The {@code Retry-After} header of a refused scrape (WebFlux only; elsewhere the 503
	 * comes without it, its body says when to retry).
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
	@ConditionalOnAvailableEndpoint(PrometheusScrapeEndpoint.class)
	static class RetryAfterConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "jprocRetryAfterHeader")
		WebFilter jprocRetryAfterHeader() {
			return new RetryAfterHeader();
		}

	}

}
