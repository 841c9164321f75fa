package io.jproc.actuate.metrics;

import io.jproc.worker.ConditionalOnJprocWorker;
import io.jproc.worker.JprocWorkerAutoConfiguration;
import io.jproc.worker.PoolStatusClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the pool's meters ({@code jproc.pool.*}) in a jproc worker with
 * Micrometer.
 */
@AutoConfiguration(after = JprocWorkerAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnJprocWorker
@ConditionalOnBean({ MeterRegistry.class, PoolStatusClient.class })
public final class PoolMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	PoolMetrics jprocPoolMetrics(PoolStatusClient client) {
		return new PoolMetrics(client);
	}

}
