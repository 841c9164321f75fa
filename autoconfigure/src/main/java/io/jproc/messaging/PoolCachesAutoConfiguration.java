package io.jproc.messaging;

import io.jproc.worker.ConditionalOnJprocWorker;
import io.jproc.worker.MasterLink;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.SimpleAutowireCandidateResolver;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.cache.actuate.endpoint.CachesEndpoint;
import org.springframework.cache.CacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ReflectionUtils;

/**
 * Auto-configuration that makes cache evictions through {@code /actuator/caches} apply to
 * every worker of the pool.
 */
@AutoConfiguration(after = JprocMessagingAutoConfiguration.class,
		beforeName = "org.springframework.boot.cache.autoconfigure.CachesEndpointAutoConfiguration")
@ConditionalOnJprocWorker
@ConditionalOnClass(CachesEndpoint.class)
public final class PoolCachesAutoConfiguration {

	@Bean
	@ConditionalOnBean(MasterLink.class)
	@ConditionalOnMissingBean
	CachesEndpoint cachesEndpoint(ConfigurableListableBeanFactory beanFactory, WorkerMessenger messenger,
			Outgoing outgoing, ListenerRegistry listeners) {
		PoolCachesEndpoint endpoint = new PoolCachesEndpoint(
				SimpleAutowireCandidateResolver.resolveAutowireCandidates(beanFactory, CacheManager.class), messenger,
				outgoing);
		listeners.register(PoolCachesEndpoint.TOPIC, endpoint, ReflectionUtils.findMethod(PoolCachesEndpoint.class,
				"applyFromPool", PoolCachesEndpoint.Eviction.class));
		return endpoint;
	}

}
