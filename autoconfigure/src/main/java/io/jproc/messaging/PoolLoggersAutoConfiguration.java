package io.jproc.messaging;

import io.jproc.ipc.Message;
import io.jproc.worker.ConditionalOnJprocWorker;
import io.jproc.worker.MasterLink;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.logging.LoggersEndpointAutoConfiguration;
import org.springframework.boot.actuate.logging.LoggersEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.logging.LoggerGroups;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ReflectionUtils;

/**
 * Auto-configuration that makes {@code POST /actuator/loggers/{name}} apply to every
 * worker of the pool, and to the workers that start later.
 */
@AutoConfiguration(after = JprocMessagingAutoConfiguration.class, before = LoggersEndpointAutoConfiguration.class)
@ConditionalOnJprocWorker
@ConditionalOnClass(LoggersEndpoint.class)
public final class PoolLoggersAutoConfiguration {

	@Bean
	@ConditionalOnBean({ LoggingSystem.class, MasterLink.class })
	@ConditionalOnMissingBean
	LoggersEndpoint loggersEndpoint(LoggingSystem loggingSystem, ObjectProvider<LoggerGroups> loggerGroups,
			MasterLink link, ListenerRegistry listeners) {
		PoolLoggersEndpoint endpoint = new PoolLoggersEndpoint(loggingSystem,
				loggerGroups.getIfAvailable(LoggerGroups::new), link);
		link.handle(Message.LogLevelChange.class, (envelope, change) -> endpoint.applyFromPool(change));
		listeners.register(PoolLoggersEndpoint.EARLIER_MASTERS_TOPIC, endpoint, ReflectionUtils
			.findMethod(PoolLoggersEndpoint.class, "applyFromEarlierMaster", PoolLoggersEndpoint.LevelChange.class));
		return endpoint;
	}

}
