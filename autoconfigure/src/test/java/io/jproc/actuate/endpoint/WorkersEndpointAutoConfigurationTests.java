package io.jproc.actuate.endpoint;

import java.time.Duration;

import io.jproc.worker.JprocWorkerAutoConfiguration;
import io.jproc.worker.MasterLink;
import io.jproc.worker.PoolStatusClient;
import io.jproc.worker.WorkerServer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/**
 * Tests for {@link WorkersEndpointAutoConfiguration}.
 */
class WorkersEndpointAutoConfigurationTests {

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(WorkersEndpointAutoConfiguration.class))
		.withBean(PoolStatusClient.class, () -> new PoolStatusClient(mock(MasterLink.class), 1, Duration.ofSeconds(1)));

	@Test
	void runWhenWorkerAndExposedShouldHaveEndpointBean() {
		this.contextRunner.withPropertyValues("JPROC_ROLE=worker", "management.endpoints.web.exposure.include=workers")
			.run((context) -> assertThat(context).hasSingleBean(WorkersEndpoint.class));
	}

	@Test
	void runWhenNotExposedShouldNotHaveEndpointBean() {
		this.contextRunner.withPropertyValues("JPROC_ROLE=worker")
			.run((context) -> assertThat(context).doesNotHaveBean(WorkersEndpoint.class));
	}

	@Test
	void runWhenAccessIsNoneShouldNotHaveEndpointBean() {
		this.contextRunner
			.withPropertyValues("JPROC_ROLE=worker", "management.endpoints.web.exposure.include=workers",
					"management.endpoint.workers.access=NONE")
			.run((context) -> assertThat(context).doesNotHaveBean(WorkersEndpoint.class));
	}

	@Test
	void runWhenNotWorkerShouldNotHaveEndpointBean() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=workers")
			.run((context) -> assertThat(context).doesNotHaveBean(WorkersEndpoint.class));
	}

	@Test
	void runWhenActuatorIsNotOnClassPathShouldNotHaveEndpointBean() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(Endpoint.class))
			.withPropertyValues("JPROC_ROLE=worker", "management.endpoints.web.exposure.include=workers")
			.run((context) -> assertThat(context).doesNotHaveBean(WorkersEndpoint.class));
	}

	@Test
	void runWhenUserDefinesEndpointShouldBackOff() {
		WorkersEndpoint own = new WorkersEndpoint(new PoolStatusClient(mock(MasterLink.class), 1, Duration.ZERO));
		this.contextRunner.withBean("ownWorkersEndpoint", WorkersEndpoint.class, () -> own)
			.withPropertyValues("JPROC_ROLE=worker", "management.endpoints.web.exposure.include=workers")
			.run((context) -> assertThat(context).getBean(WorkersEndpoint.class).isSameAs(own));
	}

	@Test
	void runInWorkerShouldTakeTheClientFromTheWorkerConfiguration() {
		new ReactiveWebApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(JprocWorkerAutoConfiguration.class, WorkersEndpointAutoConfiguration.class))
			.withBean(WorkerServer.class, () -> mock(WorkerServer.class))
			.withBean(MasterLink.class, () -> mock(MasterLink.class))
			.withPropertyValues("JPROC_ROLE=worker", "JPROC_WORKER_ID=2",
					"management.endpoints.web.exposure.include=workers")
			.run((context) -> {
				assertThat(context).hasSingleBean(WorkersEndpoint.class);
				assertThat(context.getBean(PoolStatusClient.class).workerId()).isEqualTo(2);
			});
	}

}
