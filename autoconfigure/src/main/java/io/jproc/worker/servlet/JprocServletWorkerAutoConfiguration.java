package io.jproc.worker.servlet;

import io.jproc.worker.ConditionalOnJprocWorker;
import io.jproc.worker.JprocRetirementAutoConfiguration;
import io.jproc.worker.JprocWorker;
import io.jproc.worker.LongLivedConnections;
import io.jproc.worker.RequestCounter;
import jakarta.servlet.Filter;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Auto-configuration of a servlet worker's request filters, whatever its server: the
 * request counter's filter first, then {@code Connection: close} once leaving, then the
 * end of event streams when the worker leaves; with spring-websocket, the registration of
 * its sessions, closed with 1001 when the worker leaves.
 */
@AutoConfiguration(after = JprocRetirementAutoConfiguration.class)
@ConditionalOnJprocWorker
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({ Filter.class, FilterRegistrationBean.class })
@ConditionalOnBean(RequestCounter.class)
public final class JprocServletWorkerAutoConfiguration {

	@Bean
	FilterRegistrationBean<ServletRequestTracker> jprocServletRequestTracker(RequestCounter counter) {
		FilterRegistrationBean<ServletRequestTracker> registration = new FilterRegistrationBean<>(
				new ServletRequestTracker(counter));
		registration.setName("jprocRequestTracker");
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
		registration.setAsyncSupported(true);
		return registration;
	}

	@Bean
	FilterRegistrationBean<CloseConnectionsWhenLeaving> jprocCloseConnectionsWhenLeaving(JprocWorker worker) {
		FilterRegistrationBean<CloseConnectionsWhenLeaving> registration = new FilterRegistrationBean<>(
				new CloseConnectionsWhenLeaving(worker));
		registration.setName("jprocCloseConnectionsWhenLeaving");
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
		registration.setAsyncSupported(true);
		return registration;
	}

	@Bean
	@ConditionalOnBean(LongLivedConnections.class)
	FilterRegistrationBean<EventStreamsEndWhenLeaving> jprocEventStreamsEndWhenLeaving(LongLivedConnections longLived) {
		FilterRegistrationBean<EventStreamsEndWhenLeaving> registration = new FilterRegistrationBean<>(
				new EventStreamsEndWhenLeaving(longLived));
		registration.setName("jprocEventStreamsEndWhenLeaving");
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 2);
		registration.setAsyncSupported(true);
		return registration;
	}

	/**
	 * The registration of spring-websocket sessions, when spring-websocket is there.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = { "org.springframework.web.socket.server.support.WebSocketHttpRequestHandler",
			"org.springframework.web.servlet.HandlerAdapter" })
	@ConditionalOnBean(LongLivedConnections.class)
	static final class WebSocketSessions {

		@Bean
		GoingAwayWebSocketHandlerAdapter jprocGoingAwayWebSocketHandlerAdapter(LongLivedConnections longLived) {
			return new GoingAwayWebSocketHandlerAdapter(longLived);
		}

	}

}
