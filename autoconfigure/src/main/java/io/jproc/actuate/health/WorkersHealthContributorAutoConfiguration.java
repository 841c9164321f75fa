package io.jproc.actuate.health;

import io.jproc.worker.ConditionalOnJprocWorker;
import io.jproc.worker.JprocWorkerAutoConfiguration;
import io.jproc.worker.PoolStatusClient;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code workers} health contributor in a jproc worker. Turn it
 * off with {@code management.health.workers.enabled=false}.
 */
@AutoConfiguration(after = JprocWorkerAutoConfiguration.class)
@ConditionalOnClass({ Health.class, Mono.class })
@ConditionalOnJprocWorker
@ConditionalOnEnabledHealthIndicator("workers")
public final class WorkersHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "workersHealthIndicator")
	@ConditionalOnBean(PoolStatusClient.class)
	WorkersHealthIndicator workersHealthIndicator(PoolStatusClient client) {
		return new WorkersHealthIndicator(client);
	}

}
