package io.jproc.actuate.endpoint;

import io.jproc.JprocProperties;
import io.jproc.worker.ConditionalOnJprocWorker;
import io.jproc.worker.JprocWorkerAutoConfiguration;
import io.jproc.worker.PoolStatusClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@link WorkersEndpoint} in a jproc worker, when the endpoint
 * is available (enabled and exposed).
 */
@AutoConfiguration(after = JprocWorkerAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnJprocWorker
public final class WorkersEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(PoolStatusClient.class)
	@ConditionalOnAvailableEndpoint(WorkersEndpoint.class)
	WorkersEndpoint workersEndpoint(PoolStatusClient client) {
		return new WorkersEndpoint(client);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(WorkersEndpoint.class)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	ServletWorkersEndpointExtension servletWorkersEndpointExtension(WorkersEndpoint endpoint,
			ObjectProvider<JprocProperties> properties) {
		return new ServletWorkersEndpointExtension(endpoint,
				properties.getIfAvailable(JprocProperties::new).getIpc().getRequestTimeout());
	}

}
