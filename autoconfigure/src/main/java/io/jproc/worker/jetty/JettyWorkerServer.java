package io.jproc.worker.jetty;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.jproc.WorkerEnvironment;
import io.jproc.worker.WorkerServer;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;

/**
 * The listening sockets this worker inherited, served by Jetty: the application's and,
 * when {@code management.server.port} is set, the management server's; Jetty's
 * {@link WorkerServer}.
 * <p>
 * Internal to jproc: public because it is the type of a bean an application could replace
 * ({@code @ConditionalOnMissingBean}) and tests reach its sockets.
 *
 * @param server the application socket
 * @param management the management socket, if the master passed one
 */
public record JettyWorkerServer(InheritedSocket server, @Nullable InheritedSocket management) implements WorkerServer {

	/**
	 * The sockets named by the worker environment, held for a spare and for a worker that
	 * warms up before it takes connections.
	 * @param environment the worker environment
	 * @param warmup whether the worker warms up first ({@code jproc.warmup.requests})
	 * @return the sockets
	 */
	public static JettyWorkerServer from(WorkerEnvironment environment, boolean warmup) {
		if (environment.serverFd() < 0) {
			throw new IllegalStateException("jproc: this worker was started without an inherited server socket ("
					+ WorkerEnvironment.SERVER_FD + " is not set)");
		}
		boolean held = environment.isSpare() || warmup;
		InheritedSocket management = (environment.managementFd() >= 0)
				? new InheritedSocket("management", environment.managementFd(), held) : null;
		return new JettyWorkerServer(new InheritedSocket("server", environment.serverFd(), held), management);
	}

	@Override
	public boolean isHeld() {
		return this.server.isHeld();
	}

	@Override
	public void startAccepting() {
		this.server.startAccepting();
		if (this.management != null) {
			this.management.startAccepting();
		}
	}

	/**
	 * Stop accepting on every inherited socket, waiting at most 5 s for the selectors.
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
			// A selector that cannot run an update in 5 s is stuck; leaving goes on
			// anyway.
		}
	}

	/**
	 * Jetty's selectors report the application socket's connections as they accept them
	 * and as their endpoints close.
	 * @return {@code true}
	 */
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

	@Override
	public void closeInherited() {
		this.server.closeInherited();
		if (this.management != null) {
			this.management.closeInherited();
		}
	}

	/**
	 * A loopback connector of the application's own Jetty server.
	 * @param context the application context
	 * @return the loopback, or {@code null} if the context has no Jetty server
	 */
	@Override
	public WorkerServer.@Nullable Loopback loopback(ApplicationContext context) {
		if (context instanceof WebServerApplicationContext web && web.getWebServer() instanceof JettyWebServer jetty) {
			return new JettyLoopback(jetty.getServer());
		}
		return null;
	}

}
