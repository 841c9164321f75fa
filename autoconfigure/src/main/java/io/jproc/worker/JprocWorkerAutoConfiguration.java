package io.jproc.worker;

import java.io.IOException;

import io.jproc.JprocProperties;
import io.jproc.WorkerEnvironment;
import io.jproc.ipc.Scoreboard;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of a jproc worker, whatever its web server: the worker talks to its
 * master ({@link MasterLink}), says when it is ready ({@link WorkerReadiness}) and leaves
 * when told ({@link WorkerDeparture}). It needs the {@link WorkerServer} that a server's
 * own auto-configuration registers first (Reactor Netty's in
 * {@code io.jproc.worker.netty}); without one, as in an application on a server jproc
 * does not serve, it backs off.
 */
@AutoConfiguration
@ConditionalOnJprocWorker
@ConditionalOnBean(WorkerServer.class)
@EnableConfigurationProperties(JprocProperties.class)
public final class JprocWorkerAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	WorkerIdentity jprocWorkerIdentity(ConfigurableEnvironment environment, ConfigurableApplicationContext context) {
		WorkerEnvironment worker = WorkerEnvironment.of(environment::getProperty);
		return new WorkerIdentity(worker.workerId(), worker.workerNumber(), environment, context);
	}

	@Bean
	@ConditionalOnMissingBean
	MasterLink jprocMasterLink(Environment environment, WorkerIdentity identity, JprocProperties properties) {
		WorkerEnvironment worker = WorkerEnvironment.of(environment::getProperty);
		return MasterLink.open(identity, worker.channelFd(), properties.getIpc().getRequestTimeout());
	}

	@Bean
	@ConditionalOnMissingBean
	BootExit jprocBootExit(WorkerIdentity identity, ConfigurableApplicationContext context) {
		return new BootExit(identity::label, context);
	}

	@Bean
	WorkerReadiness jprocWorkerReadiness(WorkerIdentity identity, MasterLink link, WorkerServer server,
			JprocProperties properties, ConfigurableApplicationContext context) {
		return new WorkerReadiness(identity, link, server, properties.getWarmup(), context);
	}

	@Bean
	NativeHeapTrimming jprocNativeHeapTrimming(WorkerIdentity identity, JprocProperties properties) {
		return new NativeHeapTrimming(identity, properties.getNativeHeapTrimInterval());
	}

	@Bean
	@ConditionalOnMissingBean
	LongLivedConnections jprocLongLivedConnections() {
		return new LongLivedConnections();
	}

	@Bean
	WorkerDeparture jprocWorkerDeparture(WorkerIdentity identity, MasterLink link, WorkerReadiness readiness,
			WorkerServer server, JprocProperties properties, LongLivedConnections longLived,
			ConfigurableApplicationContext context, BootExit bootExit) {
		WorkerDeparture departure = new WorkerDeparture(identity, link, readiness, server, properties.getDrainTimeout(),
				longLived, properties.getLongLivedGrace(), context, bootExit);
		// Every message of the master's that starts or ends this worker has its handler,
		// and the end of stream its hook: hand them out from now on (the link opened
		// before the beans waited with the default timeout until the properties were
		// bound).
		link.requestTimeout(properties.getIpc().getRequestTimeout());
		link.start();
		if (bootExit.hasBegun()) {
			// Asked to leave while booting: no slot, no accepting.
			readiness.beginLeaving();
		}
		return departure;
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "jproc.balance.enabled", matchIfMissing = true)
	@Nullable ConnectionBalancer jprocConnectionBalancer(Environment environment, WorkerServer server, WorkerReadiness readiness,
			JprocProperties properties) {
		int fd = WorkerEnvironment.of(environment::getProperty).scoreboardFd();
		if (fd < 0 || !server.canBalance()) {
			return null;
		}
		try {
			Scoreboard board = Scoreboard.map(fd);
			long pid = ProcessHandle.current().pid();
			Scoreboard.Slot slot = board.claim(pid, System.currentTimeMillis());
			if (slot == null) {
				return null;
			}
			return new ConnectionBalancer(board, slot, new ConnectionBalance(properties.getBalance().getMaxExcess()),
					server, () -> !server.isHeld() && !readiness.isLeaving(), System::currentTimeMillis)
				.start();
		}
		catch (IOException ex) {
			LogFactory.getLog(ConnectionBalancer.class)
				.warn("jproc: cannot map the shared scoreboard; this worker's connections are not balanced", ex);
			return null;
		}
	}

	@Bean
	@ConditionalOnMissingBean
	SelfRetirement jprocSelfRetirement(WorkerIdentity identity, MasterLink link, WorkerDeparture departure) {
		return new SelfRetirement(identity, link, departure);
	}

	@Bean
	@ConditionalOnMissingBean
	JprocWorker jprocWorker(Environment environment, WorkerIdentity identity, WorkerDeparture departure,
			SelfRetirement retirement) {
		WorkerEnvironment worker = WorkerEnvironment.of(environment::getProperty);
		return new JprocWorker(identity, worker.masterPid(), departure, retirement);
	}

	@Bean
	@ConditionalOnMissingBean
	PoolStatusClient jprocPoolStatusClient(MasterLink link, JprocWorker worker, JprocProperties properties) {
		return new PoolStatusClient(link, worker::id, properties.getIpc().getRequestTimeout(),
				properties.getHealth().getMaxAge(), properties.getHealth().getTimeout());
	}

}
