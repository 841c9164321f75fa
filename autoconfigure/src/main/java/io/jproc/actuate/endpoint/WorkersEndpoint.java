package io.jproc.actuate.endpoint;

import io.jproc.actuate.endpoint.WorkersDescriptor.AnsweredBy;
import io.jproc.actuate.endpoint.WorkersDescriptor.ErrorDescriptor;
import io.jproc.ipc.IpcChannel;
import io.jproc.ipc.Message;
import io.jproc.ipc.Message.Command.Action;
import io.jproc.ipc.Message.CommandResult.Refusal;
import io.jproc.ipc.PoolStatus;
import io.jproc.ipc.WireEnum;
import io.jproc.worker.PoolStatusClient;
import io.jproc.worker.PoolStatusClient.MasterQueryException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;

/**
 * {@code /actuator/workers}: the master and every worker slot, as the master sees them,
 * whichever worker serves the request. The worker asks its master over the channel and
 * answers within {@code jproc.ipc.request-timeout}: with the pool, or with a clear error
 * (504 when the master is late, 502 when its answer is unusable).
 */
@WebEndpoint(id = "workers", defaultAccess = Access.READ_ONLY)
public class WorkersEndpoint {

	private static final int STATUS_ACCEPTED = 202;

	private static final int STATUS_CONFLICT = 409;

	private static final int STATUS_BAD_GATEWAY = 502;

	private static final int STATUS_GATEWAY_TIMEOUT = 504;

	private final PoolStatusClient client;

	/**
	 * Create the endpoint.
	 * @param client asks the master
	 */
	public WorkersEndpoint(PoolStatusClient client) {
		this.client = client;
	}

	/**
	 * The whole pool.
	 * @return the pool, or an error with its status
	 */
	@ReadOperation
	public Mono<WebEndpointResponse<OperationResponseBody>> workers() {
		return ask().map((status) -> ok(WorkersDescriptor.of(self(), status))).onErrorResume(this::error);
	}

	/**
	 * One worker slot.
	 * @param id the worker id
	 * @return the slot, 404 for an unknown id, or an error with its status
	 */
	@ReadOperation
	public Mono<WebEndpointResponse<OperationResponseBody>> worker(@Selector int id) {
		return ask()
			.map((status) -> status.slots()
				.stream()
				.filter((slot) -> slot.id() == id)
				.findFirst()
				.map((slot) -> ok(WorkersDescriptor.WorkerDescriptor.of(slot, status.takenAt())))
				.orElseGet(() -> new WebEndpointResponse<>(
						new ErrorDescriptor(self(),
								"no worker " + id + "; worker ids are 1 to " + status.slots().size()),
						WebEndpointResponse.STATUS_NOT_FOUND)))
			.onErrorResume(this::error);
	}

	/**
	 * Change the pool: {@code {"action":"reload"}} replaces every worker one by one,
	 * {@code {"action":"scale","workers":3}} changes their number. Off unless
	 * {@code management.endpoint.workers.access=unrestricted}.
	 * @param action {@code reload} or {@code scale}
	 * @param workers the wanted number of workers, for {@code scale}
	 * @return 202 when the master took it (it runs in the background; follow it in
	 * {@code master.operation}), 400, 404 or 409 with the reason when it refused
	 */
	@WriteOperation
	public Mono<WebEndpointResponse<OperationResponseBody>> operate(String action, @Nullable Integer workers) {
		Action parsed = WireEnum.find(Action.class, action);
		if (parsed != Action.RELOAD && parsed != Action.SCALE) {
			return Mono.just(refused(Refusal.INVALID,
					"unknown action '" + action
							+ "'; POST {\"action\":\"reload\"} or {\"action\":\"scale\",\"workers\":N} here, "
							+ "{\"action\":\"restart\"} to /actuator/workers/{id}"));
		}
		return command(new Message.Command(parsed, workers, null));
	}

	/**
	 * Restart one worker the drain-first way: {@code {"action":"restart"}}. A given-up
	 * slot is started again.
	 * @param id the worker id
	 * @param action {@code restart}
	 * @return 202 when the master took it, 404 for an unknown id, 409 when it cannot now
	 */
	@WriteOperation
	public Mono<WebEndpointResponse<OperationResponseBody>> operateOn(@Selector int id, String action) {
		if (WireEnum.find(Action.class, action) != Action.RESTART) {
			return Mono.just(refused(Refusal.INVALID,
					"unknown action '" + action + "' for one worker; POST {\"action\":\"restart\"}"));
		}
		return command(new Message.Command(Action.RESTART, null, id));
	}

	private Mono<WebEndpointResponse<OperationResponseBody>> command(Message.Command command) {
		return Mono.fromFuture(() -> this.client.command(command))
			.map((result) -> result.accepted() ? new WebEndpointResponse<OperationResponseBody>(
					new WorkersDescriptor.CommandDescriptor(self(), true, null, result.message()), STATUS_ACCEPTED)
					: refused((result.refusal() != null) ? result.refusal() : Refusal.INVALID, result.message()))
			.onErrorResume(this::error);
	}

	private WebEndpointResponse<OperationResponseBody> refused(Refusal refusal, String message) {
		int status = switch (refusal) {
			case NOT_FOUND -> WebEndpointResponse.STATUS_NOT_FOUND;
			case CONFLICT -> STATUS_CONFLICT;
			case INVALID -> WebEndpointResponse.STATUS_BAD_REQUEST;
		};
		return new WebEndpointResponse<>(
				new WorkersDescriptor.CommandDescriptor(self(), false, refusal.wireName(), message), status);
	}

	private Mono<PoolStatus> ask() {
		return Mono.fromFuture(this.client::status);
	}

	/**
	 * This worker, as it is now: a spare that took a slot answers with its new id.
	 * @return who answers
	 */
	private AnsweredBy self() {
		return new AnsweredBy(this.client.workerId(), ProcessHandle.current().pid());
	}

	private static WebEndpointResponse<OperationResponseBody> ok(OperationResponseBody body) {
		return new WebEndpointResponse<>(body, WebEndpointResponse.STATUS_OK);
	}

	private Mono<WebEndpointResponse<OperationResponseBody>> error(Throwable failure) {
		Throwable cause = IpcChannel.causeOf(failure);
		int status = (cause instanceof MasterQueryException query && query.isTimeout()) ? STATUS_GATEWAY_TIMEOUT
				: STATUS_BAD_GATEWAY;
		return Mono
			.just(new WebEndpointResponse<>(new ErrorDescriptor(self(), String.valueOf(cause.getMessage())), status));
	}

}
