package io.jproc.worker.tomcat;

import io.jproc.JprocProperties;
import io.jproc.WorkerEnvironment;
import io.jproc.worker.ConditionalOnJprocWorker;
import io.jproc.worker.JprocWorkerAutoConfiguration;
import org.apache.catalina.startup.Tomcat;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of a jproc worker's Tomcat server (Spring MVC): Boot's Tomcat serves
 * the socket inherited from the master ({@link TomcatSockets}, the worker's
 * {@link io.jproc.worker.WorkerServer}) and never binds one. Runs after Boot's Tomcat
 * auto-configuration, whose factory it needs, and before
 * {@link JprocWorkerAutoConfiguration}, which needs a {@code WorkerServer}.
 */
@AutoConfiguration(after = TomcatServletWebServerAutoConfiguration.class, before = JprocWorkerAutoConfiguration.class)
@ConditionalOnJprocWorker
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({ Tomcat.class, TomcatServletWebServerFactory.class })
@ConditionalOnBean(TomcatServletWebServerFactory.class)
@EnableConfigurationProperties(JprocProperties.class)
public final class JprocTomcatWorkerAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	TomcatSockets jprocTomcatSockets(Environment environment, JprocProperties properties) {
		return TomcatSockets.from(WorkerEnvironment.of(environment::getProperty), properties.getWarmup().isEnabled());
	}

	@Bean
	WebServerFactoryCustomizer<TomcatServletWebServerFactory> jprocTomcatSocketCustomizer(TomcatSockets sockets) {
		return new InheritedSocketCustomizer(sockets.server());
	}

}
