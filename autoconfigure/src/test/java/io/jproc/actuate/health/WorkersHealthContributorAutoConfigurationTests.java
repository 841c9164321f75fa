package io.jproc.actuate.health;

import java.time.Duration;

import io.jproc.worker.MasterLink;
import io.jproc.worker.PoolStatusClient;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/**
 * Tests for {@link WorkersHealthContributorAutoConfiguration}.
 */
class WorkersHealthContributorAutoConfigurationTests {

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(WorkersHealthContributorAutoConfiguration.class))
		.withBean(PoolStatusClient.class, () -> new PoolStatusClient(mock(MasterLink.class), 1, Duration.ofSeconds(1)));

	@Test
	void runInWorkerShouldHaveHealthIndicatorNamedWorkers() {
		this.contextRunner.withPropertyValues("JPROC_ROLE=worker").run((context) -> {
			assertThat(context).hasSingleBean(WorkersHealthIndicator.class);
			assertThat(context).hasBean("workersHealthIndicator");
		});
	}

	@Test
	void runWhenNotWorkerShouldNotHaveHealthIndicator() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(WorkersHealthIndicator.class));
	}

	@Test
	void runWhenDisabledShouldNotHaveHealthIndicator() {
		this.contextRunner.withPropertyValues("JPROC_ROLE=worker", "management.health.workers.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(WorkersHealthIndicator.class));
	}

	@Test
	void runWhenHealthIsNotOnClassPathShouldNotHaveHealthIndicator() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(Health.class))
			.withPropertyValues("JPROC_ROLE=worker")
			.run((context) -> assertThat(context).doesNotHaveBean(WorkersHealthIndicator.class));
	}

	@Test
	void runWithoutClientShouldNotHaveHealthIndicator() {
		new ReactiveWebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(WorkersHealthContributorAutoConfiguration.class))
			.withPropertyValues("JPROC_ROLE=worker")
			.run((context) -> assertThat(context).doesNotHaveBean(WorkersHealthIndicator.class));
	}

}
