package io.jproc.worker;

import io.jproc.WorkerEnvironment;
import org.junit.jupiter.api.Test;

import org.springframework.context.support.GenericApplicationContext;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link MasterLinkInitializer} outside a worker; a worker's early link is
 * checked with real processes ({@code BootStopIT} in the sample app).
 */
class MasterLinkInitializerTests {

	@Test
	void aProcessThatIsNotAWorkerGetsNoLink() {
		try (GenericApplicationContext context = new GenericApplicationContext()) {
			context.setEnvironment(new MockEnvironment());
			new MasterLinkInitializer().initialize(context);
			assertThat(context.getBeanFactory().containsSingleton("jprocMasterLink")).isFalse();
		}
	}

	@Test
	void aWorkerWithoutAChannelGetsNoLink() {
		try (GenericApplicationContext context = new GenericApplicationContext()) {
			context.setEnvironment(new MockEnvironment().withProperty(WorkerEnvironment.ROLE, "worker"));
			new MasterLinkInitializer().initialize(context);
			assertThat(context.getBeanFactory().containsSingleton("jprocMasterLink")).isFalse();
		}
	}

}
