package io.jproc.worker.jetty;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When {@link JprocJettyWorkerAutoConfiguration} makes Jetty serve the inherited socket:
 * in a jproc worker of a servlet application that Boot serves with Jetty, and only then.
 */
class JprocJettyWorkerAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JettyServletWebServerAutoConfiguration.class,
				JprocJettyWorkerAutoConfiguration.class));

	@Test
	void runWhenWorkerOfAJettyServletApplicationShouldServeTheInheritedSockets() {
		this.contextRunner
			.withPropertyValues("JPROC_ROLE=worker", "JPROC_WORKER_ID=0", "JPROC_SERVER_FD=7", "JPROC_MANAGEMENT_FD=9")
			.run((context) -> {
				assertThat(context).hasSingleBean(JettyWorkerServer.class)
					.hasSingleBean(InheritedConnectorCustomizer.class);
				JettyWorkerServer server = context.getBean(JettyWorkerServer.class);
				assertThat(server.server()).hasToString("inherited server socket (fd 7)");
				assertThat(server.management()).hasToString("inherited management socket (fd 9)");
				// A spare holds until it takes a slot.
				assertThat(server.isHeld()).isTrue();
			});
	}

	@Test
	void runWhenWorkerWithWarmupShouldHoldUntilTheWarmupIsOver() {
		this.contextRunner
			.withPropertyValues("JPROC_ROLE=worker", "JPROC_WORKER_ID=1", "JPROC_SERVER_FD=7",
					"jproc.warmup.requests=0")
			.run((context) -> assertThat(context.getBean(JettyWorkerServer.class).isHeld()).isFalse());
		this.contextRunner
			.withPropertyValues("JPROC_ROLE=worker", "JPROC_WORKER_ID=1", "JPROC_SERVER_FD=7",
					"jproc.warmup.requests=20")
			.run((context) -> assertThat(context.getBean(JettyWorkerServer.class).isHeld()).isTrue());
		// Warm-up is on by default.
		this.contextRunner.withPropertyValues("JPROC_ROLE=worker", "JPROC_WORKER_ID=1", "JPROC_SERVER_FD=7")
			.run((context) -> assertThat(context.getBean(JettyWorkerServer.class).isHeld()).isTrue());
	}

	@Test
	void runWhenNotWorkerShouldNotHaveJettyWorkerBeans() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(JettyWorkerServer.class));
	}

	@Test
	void runWhenJettyIsNotTheServerShouldNotHaveJettyWorkerBeans() {
		new WebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(JprocJettyWorkerAutoConfiguration.class))
			.withPropertyValues("JPROC_ROLE=worker", "JPROC_WORKER_ID=1", "JPROC_SERVER_FD=7")
			.run((context) -> assertThat(context).doesNotHaveBean(JettyWorkerServer.class));
	}

	@Test
	void runWhenReactiveApplicationShouldNotHaveJettyWorkerBeans() {
		new ReactiveWebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(JettyServletWebServerAutoConfiguration.class,
					JprocJettyWorkerAutoConfiguration.class))
			.withPropertyValues("JPROC_ROLE=worker", "JPROC_WORKER_ID=1", "JPROC_SERVER_FD=7")
			.run((context) -> assertThat(context).doesNotHaveBean(JettyWorkerServer.class));
	}

}
