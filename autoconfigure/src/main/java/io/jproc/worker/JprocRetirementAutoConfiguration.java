package io.jproc.worker;

import io.jproc.JprocProperties;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.server.WebFilter;

/**
 * Auto-configuration of what makes a worker retire: fatal errors on any thread, request
 * counting for recycling (fed by WebFlux's {@link RequestTracker} here, by the servlet
 * filter of {@code io.jproc.worker.servlet} in a servlet application), heartbeats with
 * the heap and age triggers, and the drain report. Broken liveness and the application's
 * own request go through {@link SelfRetirement}.
 */
@AutoConfiguration(after = JprocWorkerAutoConfiguration.class)
@ConditionalOnJprocWorker
@ConditionalOnBean({ MasterLink.class, SelfRetirement.class, LongLivedConnections.class })
public final class JprocRetirementAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	FatalErrorGuard jprocFatalErrorGuard(WorkerIdentity identity, SelfRetirement retirement) {
		return new FatalErrorGuard(identity::label, retirement::retireNow);
	}

	@Bean
	@ConditionalOnMissingBean
	RecyclePolicy jprocRecyclePolicy(JprocProperties properties) {
		return RecyclePolicy.draw(properties.getRecycle());
	}

	@Bean
	@ConditionalOnMissingBean
	RequestCounter jprocRequestCounter(FatalErrorGuard fatalErrors, RecyclePolicy recycle, SelfRetirement retirement) {
		long limit = recycle.requestLimit();
		// Checked on every request: only the one request that reaches the limit does
		// work.
		return new RequestCounter(fatalErrors::report, (served) -> {
			if (served == limit) {
				retirement.retire(recycle.afterRequests(served));
			}
		});
	}

	@Bean
	@ConditionalOnMissingBean
	Heartbeats jprocHeartbeats(MasterLink link, RequestCounter requests, LongLivedConnections longLived,
			ObjectProvider<ConnectionBalancer> balancer, RecyclePolicy recycle, SelfRetirement retirement,
			JprocProperties properties, ConfigurableApplicationContext context) {
		return new Heartbeats(link, requests, longLived, () -> {
			ConnectionBalancer counting = balancer.getIfAvailable();
			return (counting != null) ? counting.connections() : -1;
		}, recycle, retirement, properties.getHeartbeat().getInterval(), context);
	}

	@Bean
	@ConditionalOnMissingBean
	DrainReporter jprocDrainReporter(WorkerDeparture departure, RequestCounter requests) {
		return new DrainReporter(departure, requests);
	}

	/**
	 * WebFlux's request filter; a servlet application's is registered by
	 * {@code io.jproc.worker.servlet}.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
	@ConditionalOnClass(WebFilter.class)
	static class ReactiveRequests {

		@Bean
		@ConditionalOnMissingBean
		RequestTracker jprocRequestTracker(RequestCounter counter) {
			return new RequestTracker(counter);
		}

	}

}
