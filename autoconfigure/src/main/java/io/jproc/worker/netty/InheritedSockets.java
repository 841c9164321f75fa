package io.jproc.worker.netty;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.jproc.WorkerEnvironment;
import io.jproc.worker.WorkerServer;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationContext;
import org.springframework.http.server.reactive.HttpHandler;

/**
 * The listening sockets this worker inherited: the application's and, when
 * {@code management.server.port} is set, the management server's; Reactor Netty's
 * {@link WorkerServer}.
 * <p>
 * Internal to jproc: public because it is the type of a bean an application could replace
 * ({@code @ConditionalOnMissingBean}) and tests reach its sockets.
 *
 * @param server the application socket
 * @param management the management socket, if the master passed one
 */
public record InheritedSockets(InheritedSocket server, @Nullable InheritedSocket management) implements WorkerServer {

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
		if (environment.serverFd() < 0) {
			throw new IllegalStateException("jproc: this worker was started without an inherited server socket ("
					+ WorkerEnvironment.SERVER_FD + " is not set)");
		}
		InheritedSocket management = (environment.managementFd() >= 0)
				? new InheritedSocket("management", environment.managementFd()) : null;
		InheritedSocket server = new InheritedSocket("server", environment.serverFd());
		if (environment.isSpare() || warmup) {
			server.hold();
			if (management != null) {
				management.hold();
			}
		}
		return new InheritedSockets(server, management);
	}

	/**
	 * End the hold of a spare worker on every socket: accept now, or as soon as each
	 * server starts. See {@link InheritedSocket#startAccepting()}.
	 */
	@Override
	public void startAccepting() {
		this.server.startAccepting();
		if (this.management != null) {
			this.management.startAccepting();
		}
	}

	/**
	 * Whether accepting is held on the server socket (a spare that has no slot yet).
	 * @return {@code true} while held
	 */
	@Override
	public boolean isHeld() {
		return this.server.isHeld();
	}

	/**
	 * Close the inherited descriptors of every socket, see
	 * {@link InheritedSocket#closeInherited()}.
	 */
	@Override
	public void closeInherited() {
		this.server.closeInherited();
		if (this.management != null) {
			this.management.closeInherited();
		}
	}

	/**
	 * Stop accepting on every inherited socket, waiting a little for the event loops.
	 */
	@Override
	public void pauseAccepting() {
		CompletableFuture<Void> paused = (this.management != null)
				? CompletableFuture.allOf(this.server.pauseAccepting(), this.management.pauseAccepting())
				: this.server.pauseAccepting();
		try {
			paused.get(5, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			// An event loop that cannot run the pause in 5 s is stuck; leaving goes on
			// anyway.
		}
	}

	@Override
	public boolean canBalance() {
		return true;
	}

	@Override
	public void countConnections(ConnectionCounter counter) {
		this.server.countConnections(counter);
	}

	@Override
	public void balanceAccepting(boolean accept) {
		this.server.balanceAccepting(accept);
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
