package io.jproc.worker.jetty;

import io.jproc.JprocProperties;
import io.jproc.WorkerEnvironment;
import io.jproc.worker.ConditionalOnJprocWorker;
import io.jproc.worker.JprocWorkerAutoConfiguration;
import org.eclipse.jetty.server.Server;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jetty.JettyWebServerFactory;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of a jproc worker's Jetty server, in a servlet web application that
 * Boot serves with Jetty: the server accepts on the socket(s) inherited from the master
 * ({@link JettyWorkerServer}, the worker's {@link io.jproc.worker.WorkerServer}) and
 * never binds its own (its request threads are sized with Tomcat's, by
 * {@code server.jetty.threads.max} defaults in {@code WorkerEnvironmentPostProcessor}).
 * Runs after Boot's Jetty configuration, whose factory it needs, and before
 * {@link JprocWorkerAutoConfiguration}, which needs a {@code WorkerServer}.
 */
@AutoConfiguration(
		afterName = "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration",
		before = JprocWorkerAutoConfiguration.class)
@ConditionalOnJprocWorker
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({ Server.class, JettyServletWebServerFactory.class })
@ConditionalOnBean(JettyServletWebServerFactory.class)
@EnableConfigurationProperties(JprocProperties.class)
public final class JprocJettyWorkerAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	JettyWorkerServer jprocJettyWorkerServer(Environment environment, JprocProperties properties) {
		return JettyWorkerServer.from(WorkerEnvironment.of(environment::getProperty),
				properties.getWarmup().isEnabled());
	}

	@Bean
	WebServerFactoryCustomizer<JettyWebServerFactory> jprocInheritedConnectorCustomizer(JettyWorkerServer server) {
		return new InheritedConnectorCustomizer(server.server());
	}

}
