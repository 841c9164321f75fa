package io.jproc.worker;

import io.jproc.JprocProperties;
import io.jproc.WorkerEnvironment;
import io.netty.channel.epoll.EpollServerSocketChannel;
import reactor.netty.http.server.HttpServer;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of a jproc worker: Boot's Reactor Netty server serves the socket
 * inherited from the master, and the worker talks to its master.
 */
@AutoConfiguration
@ConditionalOnJprocWorker
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass({ HttpServer.class, NettyReactiveWebServerFactory.class, EpollServerSocketChannel.class })
@EnableConfigurationProperties(JprocProperties.class)
public final class JprocWorkerAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	InheritedSockets jprocInheritedSockets(Environment environment, JprocProperties properties) {
		return InheritedSockets.from(WorkerEnvironment.of(environment::getProperty),
				properties.getWarmup().isEnabled());
	}

	@Bean
	@ConditionalOnMissingBean
	WorkerIdentity jprocWorkerIdentity(ConfigurableEnvironment environment, ConfigurableApplicationContext context) {
		WorkerEnvironment worker = WorkerEnvironment.of(environment::getProperty);
		return new WorkerIdentity(worker.workerId(), worker.workerNumber(), environment, context);
	}

	@Bean
	WebServerFactoryCustomizer<NettyReactiveWebServerFactory> jprocInheritedSocketCustomizer(InheritedSockets sockets) {
		return new InheritedSocketCustomizer(sockets.server());
	}

	@Bean
	@ConditionalOnMissingBean
	MasterLink jprocMasterLink(Environment environment, WorkerIdentity identity, JprocProperties properties,
			InheritedSockets sockets, ConfigurableApplicationContext context) {
		WorkerEnvironment worker = WorkerEnvironment.of(environment::getProperty);
		return new MasterLink(identity, MasterLink.openChannel(identity.label(), worker.channelFd()), properties,
				sockets, context);
	}

	@Bean
	@ConditionalOnMissingBean
	SelfRetirement jprocSelfRetirement(WorkerIdentity identity, MasterLink link) {
		return new SelfRetirement(identity, link);
	}

	@Bean
	CloseConnectionsWhenLeaving jprocCloseConnectionsWhenLeaving(MasterLink link) {
		return new CloseConnectionsWhenLeaving(link);
	}

	@Bean
	@ConditionalOnMissingBean
	JprocWorker jprocWorker(Environment environment, WorkerIdentity identity, MasterLink link,
			SelfRetirement retirement) {
		WorkerEnvironment worker = WorkerEnvironment.of(environment::getProperty);
		return new JprocWorker(identity, worker.masterPid(), link, retirement);
	}

	@Bean
	@ConditionalOnMissingBean
	PoolStatusClient jprocPoolStatusClient(MasterLink link, JprocWorker worker, JprocProperties properties) {
		return new PoolStatusClient(link, worker::id, properties.getIpc().getRequestTimeout());
	}

}
