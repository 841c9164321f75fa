package io.jproc.actuate.metrics;

import java.time.Duration;

import io.jproc.worker.MasterLink;
import io.jproc.worker.PoolStatusClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusScrapeEndpoint;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/**
 * Tests for {@link PoolMetricsAutoConfiguration} and
 * {@link PoolPrometheusScrapeAutoConfiguration}.
 */
class PoolMetricsAutoConfigurationTests {

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(PoolMetricsAutoConfiguration.class, PoolPrometheusScrapeAutoConfiguration.class))
		.withBean(MasterLink.class, () -> mock(MasterLink.class))
		.withBean(PoolStatusClient.class, () -> new PoolStatusClient(mock(MasterLink.class), 1, Duration.ofSeconds(1)))
		.withBean(MeterRegistry.class, SimpleMeterRegistry::new);

	@Test
	void runInWorkerWithMeterRegistryShouldHavePoolMetrics() {
		this.contextRunner.withPropertyValues("JPROC_ROLE=worker")
			.run((context) -> assertThat(context).hasSingleBean(PoolMetrics.class));
	}

	@Test
	void runWhenNotWorkerShouldNotHavePoolMetrics() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(PoolMetrics.class)
			.doesNotHaveBean(WorkerScrapeResponder.class));
	}

	@Test
	void runWhenMicrometerIsNotOnClassPathShouldNotHavePoolMetrics() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(MeterBinder.class))
			.withPropertyValues("JPROC_ROLE=worker")
			.run((context) -> assertThat(context).doesNotHaveBean(PoolMetrics.class));
	}

	@Test
	void runWithExposedPrometheusEndpointShouldGatherThePool() {
		this.contextRunner.withBean(PrometheusScrapeEndpoint.class, PoolMetricsAutoConfigurationTests::prometheus)
			.withPropertyValues("JPROC_ROLE=worker", "management.endpoints.web.exposure.include=prometheus")
			.run((context) -> assertThat(context).hasSingleBean(WorkerScrapeResponder.class)
				.hasSingleBean(PoolPrometheusScrapeEndpointExtension.class)
				.hasBean("jprocRetryAfterHeader"));
	}

	@Test
	void runWhenPrometheusEndpointIsNotExposedShouldStillAnswerTheMaster() {
		this.contextRunner.withBean(PrometheusScrapeEndpoint.class, PoolMetricsAutoConfigurationTests::prometheus)
			.withPropertyValues("JPROC_ROLE=worker")
			.run((context) -> assertThat(context).hasSingleBean(WorkerScrapeResponder.class)
				.doesNotHaveBean(PoolPrometheusScrapeEndpointExtension.class)
				.doesNotHaveBean("jprocRetryAfterHeader"));
	}

	@Test
	void runWithoutPrometheusShouldNotGatherThePool() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(PrometheusScrapeEndpoint.class))
			.withPropertyValues("JPROC_ROLE=worker", "management.endpoints.web.exposure.include=prometheus")
			.run((context) -> assertThat(context).doesNotHaveBean(WorkerScrapeResponder.class)
				.doesNotHaveBean(PoolPrometheusScrapeEndpointExtension.class));
	}

	private static PrometheusScrapeEndpoint prometheus() {
		return new PrometheusScrapeEndpoint(new PrometheusRegistry(), null);
	}

}
