package io.jproc.worker.jetty;

import io.jproc.worker.ConditionalOnJprocWorker;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.jetty.JettyWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * In the management child context (when {@code management.server.port} is set), makes
 * Jetty serve the management socket the master passed down instead of binding one.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
@ConditionalOnJprocWorker
@ConditionalOnClass(JettyWebServerFactory.class)
@ConditionalOnBean(JettyWorkerServer.class)
class JprocJettyManagementContextConfiguration {

	@Bean
	WebServerFactoryCustomizer<JettyWebServerFactory> jprocManagementConnectorCustomizer(JettyWorkerServer server) {
		if (server.management() == null) {
			throw new IllegalStateException("jproc: management.server.port is set but the master passed no "
					+ "management socket to this worker; start master and workers with the same configuration");
		}
		return new InheritedConnectorCustomizer(server.management());
	}

}
