package io.jproc.worker.netty;

import io.jproc.JprocProperties;
import io.jproc.WorkerEnvironment;
import io.jproc.worker.ConditionalOnJprocWorker;
import io.jproc.worker.JprocWorker;
import io.jproc.worker.JprocWorkerAutoConfiguration;
import io.netty.channel.epoll.EpollServerSocketChannel;
import reactor.netty.http.server.HttpServer;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of a jproc worker's Reactor Netty server: Boot's Netty server serves
 * the socket inherited from the master ({@link InheritedSockets}, the worker's
 * {@link io.jproc.worker.WorkerServer}), and a leaving worker's responses close their
 * connections. Runs before {@link JprocWorkerAutoConfiguration}, which needs a
 * {@code WorkerServer}.
 */
@AutoConfiguration(before = JprocWorkerAutoConfiguration.class)
@ConditionalOnJprocWorker
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass({ HttpServer.class, NettyReactiveWebServerFactory.class, EpollServerSocketChannel.class })
@EnableConfigurationProperties(JprocProperties.class)
public final class JprocNettyWorkerAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	InheritedSockets jprocInheritedSockets(Environment environment, JprocProperties properties) {
		return InheritedSockets.from(WorkerEnvironment.of(environment::getProperty),
				properties.getWarmup().isEnabled());
	}

	@Bean
	WebServerFactoryCustomizer<NettyReactiveWebServerFactory> jprocInheritedSocketCustomizer(InheritedSockets sockets) {
		return new InheritedSocketCustomizer(sockets.server());
	}

	@Bean
	CloseConnectionsWhenLeaving jprocCloseConnectionsWhenLeaving(JprocWorker worker) {
		return new CloseConnectionsWhenLeaving(worker);
	}

}
