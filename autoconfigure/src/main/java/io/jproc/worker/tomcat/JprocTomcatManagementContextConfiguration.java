package io.jproc.worker.tomcat;

import io.jproc.worker.ConditionalOnJprocWorker;
import io.jproc.worker.InheritedServerChannel;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * In the management child context of a Tomcat worker (when {@code management.server.port}
 * is set), serves the management socket the master passed down instead of binding one.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
@ConditionalOnJprocWorker
@ConditionalOnClass({ TomcatServletWebServerFactory.class, InheritedServerChannel.class })
@ConditionalOnBean(TomcatSockets.class)
class JprocTomcatManagementContextConfiguration {

	@Bean
	WebServerFactoryCustomizer<TomcatServletWebServerFactory> jprocTomcatManagementSocketCustomizer(
			TomcatSockets sockets) {
		InheritedAcceptor management = sockets.management();
		if (management == null) {
			throw new IllegalStateException("jproc: management.server.port is set but the master passed no "
					+ "management socket to this worker; start master and workers with the same configuration");
		}
		return new InheritedSocketCustomizer(management);
	}

}
