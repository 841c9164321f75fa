package io.jproc.worker.netty;

import io.jproc.WorkerEnvironment;
import io.jproc.worker.InheritedSocketPair;
import io.jproc.worker.WorkerServer;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationContext;
import org.springframework.http.server.reactive.HttpHandler;

/**
 * The listening sockets this worker inherited: the application's and, when
 * {@code management.server.port} is set, the management server's; Reactor Netty's
 * {@link WorkerServer}. A spare's sockets are {@link InheritedSocket#hold() held} until
 * {@link #startAccepting()}, and pausing waits a little for the event loops.
 * <p>
 * Internal to jproc: public because it is the type of a bean an application could replace
 * ({@code @ConditionalOnMissingBean}) and tests reach its sockets.
 */
public final class InheritedSockets extends InheritedSocketPair<InheritedSocket> {

	private InheritedSockets(WorkerEnvironment environment, boolean warmup) {
		super(environment, warmup, "worker",
				(name, fd, held) -> held ? new InheritedSocket(name, fd).hold() : new InheritedSocket(name, fd));
	}

	/**
	 * The sockets named by the worker environment; a spare's are
	 * {@link InheritedSocket#hold() held} until {@link #startAccepting()}.
	 * @param environment the worker environment
	 * @return the sockets
	 */
	public static InheritedSockets from(WorkerEnvironment environment) {
		return from(environment, false);
	}

	/**
	 * The sockets of this worker, held for a spare and for a worker that warms up before
	 * it takes connections.
	 * @param environment the worker environment
	 * @param warmup whether the worker warms up first ({@code jproc.warmup.requests})
	 * @return the sockets
	 */
	public static InheritedSockets from(WorkerEnvironment environment, boolean warmup) {
		return new InheritedSockets(environment, warmup);
	}

	/**
	 * The application's {@link HttpHandler}, served on a loopback port of its own.
	 * @param context the application context
	 * @return the handler's loopback server, or {@code null} without a handler
	 */
	@Override
	public WorkerServer.@Nullable Loopback loopback(ApplicationContext context) {
		HttpHandler handler = context.getBeanProvider(HttpHandler.class).getIfAvailable();
		return (handler != null) ? new HttpHandlerLoopback(handler) : null;
	}

}
