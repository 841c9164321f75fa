package io.jproc.messaging;

import io.jproc.JprocProperties;
import io.jproc.WorkerEnvironment;
import io.jproc.worker.ConditionalOnJprocWorker;
import io.jproc.worker.JprocWorkerAutoConfiguration;
import io.jproc.worker.MasterLink;
import io.jproc.worker.WorkerIdentity;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.Lifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of messages between workers and leadership: over the channel in a
 * worker, within the process otherwise.
 */
@AutoConfiguration(after = JprocWorkerAutoConfiguration.class,
		afterName = "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration")
@ConditionalOnClass({ Mono.class, JsonMapper.class })
@EnableConfigurationProperties(JprocProperties.class)
public final class JprocMessagingAutoConfiguration {

	@Bean
	static ListenerRegistry jprocListenerRegistry(Environment environment) {
		// The boot cache's training run is no member of a pool: it listens to nothing.
		return new ListenerRegistry(!WorkerEnvironment.of(environment::getProperty).isTraining());
	}

	/**
	 * The boot cache's training run: its leader-only work never runs (its leadership is
	 * never granted). Its scheduled work does not either: {@code TrainingRun} removes
	 * Spring's scheduling.
	 * @return the post-processor
	 */
	@Bean
	@ConditionalOnProperty(name = WorkerEnvironment.ROLE, havingValue = WorkerEnvironment.TRAINING)
	static LeaderOnlyPostProcessor jprocTrainingLeaderOnlyPostProcessor() {
		return new LeaderOnlyPostProcessor(true);
	}

	@Bean
	@ConditionalOnJprocWorker
	@ConditionalOnProperty(name = "jproc.scheduling.leader-only", havingValue = "true", matchIfMissing = true)
	static LeaderOnlyPostProcessor jprocLeaderOnlyPostProcessor() {
		return new LeaderOnlyPostProcessor(true);
	}

	@Bean
	@ConditionalOnJprocWorker
	@ConditionalOnProperty(name = "jproc.scheduling.leader-only", havingValue = "false")
	static LeaderOnlyPostProcessor jprocLeaderOnlyMethodsPostProcessor() {
		return new LeaderOnlyPostProcessor(false);
	}

	@Bean
	Outgoing jprocOutgoing(ObjectProvider<JsonMapper> json, JprocProperties properties) {
		return new Outgoing(json.getIfAvailable(() -> JsonMapper.builder().build()),
				properties.getMessaging().getMaxPayload());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean(MasterLink.class)
	static class WorkerMessagingConfiguration {

		@Bean
		@ConditionalOnMissingBean
		LeaderState jprocLeadership(WorkerIdentity identity, ConfigurableApplicationContext context,
				JprocProperties properties) {
			return new LeaderState(identity::label, context, properties.getMessaging().getRevokeTimeout());
		}

		@Bean
		SmartInitializingSingleton jprocLeaderOnlyLifecycles(LeaderState leader, ListableBeanFactory beans) {
			return () -> leader.lifecycles(beans.getBeansWithAnnotation(LeaderOnly.class)
				.values()
				.stream()
				.filter(Lifecycle.class::isInstance)
				.map(Lifecycle.class::cast)
				.toList());
		}

		@Bean
		@ConditionalOnMissingBean
		WorkerMessenger jprocMessenger(WorkerIdentity identity, MasterLink link, Outgoing outgoing,
				ListenerRegistry listeners, JprocProperties properties) {
			int capacity = properties.getMessaging().getQueueCapacity();
			link.appQueueCapacity(capacity);
			listeners.configure(capacity, identity::label);
			return new WorkerMessenger(identity::id, link, outgoing);
		}

		@Bean
		CrossWorkerEvents jprocCrossWorkerEvents(WorkerIdentity identity, WorkerMessenger messenger, Outgoing outgoing,
				ConfigurableApplicationContext context, JprocProperties properties) {
			return new CrossWorkerEvents(identity::label, messenger, outgoing, context,
					properties.getMessaging().getQueueCapacity());
		}

		@Bean
		WorkerMessaging jprocWorkerMessaging(MasterLink link, ListenerRegistry listeners, WorkerMessenger messenger,
				Outgoing outgoing, LeaderState leader, CrossWorkerEvents events) {
			return new WorkerMessaging(link, listeners, messenger, outgoing, leader, events);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingBean(MasterLink.class)
	@ConditionalOnProperty(name = WorkerEnvironment.ROLE, havingValue = WorkerEnvironment.TRAINING)
	static class TrainingLeadershipConfiguration {

		/**
		 * Leadership of the boot cache's training run: never granted, so it is never
		 * leader and its leader-only methods and lifecycles never run.
		 * @param context the context
		 * @param properties {@code jproc.*}
		 * @return the leadership
		 */
		@Bean
		@ConditionalOnMissingBean(JprocLeadership.class)
		LeaderState jprocTrainingLeadership(ConfigurableApplicationContext context, JprocProperties properties) {
			return new LeaderState(() -> "boot cache training run", context,
					properties.getMessaging().getRevokeTimeout());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingBean(MasterLink.class)
	static class LocalMessagingConfiguration {

		@Bean
		@ConditionalOnMissingBean(JprocLeadership.class)
		@ConditionalOnExpression("'${" + WorkerEnvironment.ROLE + ":}' != '" + WorkerEnvironment.TRAINING + "'")
		LocalLeadership jprocLeadership() {
			return new LocalLeadership();
		}

		@Bean
		@ConditionalOnMissingBean(JprocMessenger.class)
		LocalMessenger jprocMessenger(ListenerRegistry listeners, Outgoing outgoing, JprocProperties properties) {
			listeners.configure(properties.getMessaging().getQueueCapacity(), () -> "worker 1");
			return new LocalMessenger(listeners, outgoing);
		}

	}

}
