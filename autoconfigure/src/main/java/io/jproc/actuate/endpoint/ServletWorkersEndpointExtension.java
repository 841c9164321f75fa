package io.jproc.actuate.endpoint;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * {@code /actuator/workers} in a Spring MVC application (Tomcat, Jetty). Spring Boot's
 * MVC endpoint adapter unwraps a {@link WebEndpointResponse} only when the operation
 * returns it directly: a {@code Mono} of one is rendered as JSON with {@code body} and
 * {@code status} fields and HTTP 200, so a 404 or 409 of {@link WorkersEndpoint} would be
 * lost. This extension answers the same operations with the same bodies and statuses,
 * blocking a request thread for the master's answer (itself bounded by
 * {@code jproc.ipc.request-timeout}). WebFlux applications use the endpoint itself.
 */
@EndpointWebExtension(endpoint = WorkersEndpoint.class)
public class ServletWorkersEndpointExtension {

	private final WorkersEndpoint endpoint;

	private final Duration bound;

	/**
	 * Create the extension.
	 * @param endpoint the endpoint whose answers this blocks for
	 * @param requestTimeout {@code jproc.ipc.request-timeout}, after which the endpoint
	 * answers with an error of its own
	 */
	public ServletWorkersEndpointExtension(WorkersEndpoint endpoint, Duration requestTimeout) {
		this.endpoint = endpoint;
		this.bound = requestTimeout.plusSeconds(5);
	}

	/**
	 * The whole pool, see {@link WorkersEndpoint#workers()}.
	 * @return the pool, or an error with its status
	 */
	@ReadOperation
	public @Nullable WebEndpointResponse<OperationResponseBody> workers() {
		return this.endpoint.workers().block(this.bound);
	}

	/**
	 * One worker slot, see {@link WorkersEndpoint#worker(int)}.
	 * @param id the worker id
	 * @return the slot, 404 for an unknown id, or an error with its status
	 */
	@ReadOperation
	public @Nullable WebEndpointResponse<OperationResponseBody> worker(@Selector int id) {
		return this.endpoint.worker(id).block(this.bound);
	}

	/**
	 * Change the pool, see {@link WorkersEndpoint#operate(String, Integer)}.
	 * @param action {@code reload} or {@code scale}
	 * @param workers the wanted number of workers, for {@code scale}
	 * @return 202 when the master took it, else the refusal with its status
	 */
	@WriteOperation
	public @Nullable WebEndpointResponse<OperationResponseBody> operate(String action, @Nullable Integer workers) {
		return this.endpoint.operate(action, workers).block(this.bound);
	}

	/**
	 * Restart one worker, see {@link WorkersEndpoint#operateOn(int, String)}.
	 * @param id the worker id
	 * @param action {@code restart}
	 * @return 202 when the master took it, else the refusal with its status
	 */
	@WriteOperation
	public @Nullable WebEndpointResponse<OperationResponseBody> operateOn(@Selector int id, String action) {
		return this.endpoint.operateOn(id, action).block(this.bound);
	}

}
