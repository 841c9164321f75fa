package io.jproc.worker.webflux;

import io.jproc.worker.ConditionalOnJprocWorker;
import io.jproc.worker.JprocWorkerAutoConfiguration;
import io.jproc.worker.LongLivedConnections;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.socket.server.support.WebSocketHandlerAdapter;

/**
 * Auto-configuration of the long-lived connections of a WebFlux worker: WebSocket
 * sessions and event streams are counted apart from requests and go away cleanly when the
 * worker leaves ({@code jproc.long-lived-grace}).
 */
@AutoConfiguration(after = JprocWorkerAutoConfiguration.class)
@ConditionalOnJprocWorker
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass(WebSocketHandlerAdapter.class)
@ConditionalOnBean(LongLivedConnections.class)
public final class JprocWebFluxLongLivedAutoConfiguration {

	@Bean
	EventStreamsEndWhenLeaving jprocEventStreamsEndWhenLeaving(LongLivedConnections longLived) {
		return new EventStreamsEndWhenLeaving(longLived);
	}

	@Bean
	static BeanPostProcessor jprocGoingAwayWebSocketAdapter(ObjectProvider<LongLivedConnections> longLived) {
		return new BeanPostProcessor() {

			@Override
			public Object postProcessAfterInitialization(Object bean, String beanName) {
				// Exactly Spring's class: an application's own subclass is left alone.
				if (bean.getClass() == WebSocketHandlerAdapter.class) {
					WebSocketHandlerAdapter adapter = (WebSocketHandlerAdapter) bean;
					return new GoingAwayWebSocketHandlerAdapter(adapter.getWebSocketService(), adapter.getOrder(),
							longLived.getObject());
				}
				return bean;
			}

		};
	}

}
