package io.jproc.worker.tomcat;

import io.jproc.WorkerEnvironment;
import io.jproc.worker.WorkerServer;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;

/**
 * The listening sockets a Tomcat worker inherited (the application's and, with
 * {@code management.server.port}, the management server's): Tomcat's
 * {@link WorkerServer}.
 * <p>
 * Internal to jproc: public as the type of a bean an application could replace.
 */
public final class TomcatSockets implements WorkerServer {

	private final InheritedAcceptor server;

	private final @Nullable InheritedAcceptor management;

	private TomcatSockets(InheritedAcceptor server, @Nullable InheritedAcceptor management) {
		this.server = server;
		this.management = management;
	}

	/**
	 * The sockets named by the worker environment; held for a spare and for a worker that
	 * warms up before it takes connections.
	 * @param environment the worker environment
	 * @param warmup whether the worker warms up first
	 * @return the sockets
	 */
	public static TomcatSockets from(WorkerEnvironment environment, boolean warmup) {
		if (environment.serverFd() < 0) {
			throw new IllegalStateException("jproc: this Tomcat worker was started without an inherited server "
					+ "socket (" + WorkerEnvironment.SERVER_FD + " is not set)");
		}
		InheritedAcceptor server = new InheritedAcceptor("server", environment.serverFd());
		InheritedAcceptor management = (environment.managementFd() >= 0)
				? new InheritedAcceptor("management", environment.managementFd()) : null;
		if (environment.isSpare() || warmup) {
			server.hold();
			if (management != null) {
				management.hold();
			}
		}
		return new TomcatSockets(server, management);
	}

	InheritedAcceptor server() {
		return this.server;
	}

	@Nullable InheritedAcceptor management() {
		return this.management;
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

	@Override
	public void pauseAccepting() {
		this.server.pause();
		if (this.management != null) {
			this.management.pause();
		}
	}

	/**
	 * Tomcat reports the application socket's connections as its endpoint takes them on
	 * and as their socket wrappers close.
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
		this.server.balance(accept);
	}

	@Override
	public void closeInherited() {
		this.server.closeInherited();
		if (this.management != null) {
			this.management.closeInherited();
		}
	}

	@Override
	public WorkerServer.@Nullable Loopback loopback(ApplicationContext context) {
		if (context instanceof WebServerApplicationContext web) {
			WebServer webServer = web.getWebServer();
			if (webServer instanceof TomcatWebServer tomcat) {
				return new TomcatLoopback(tomcat.getTomcat());
			}
		}
		return null;
	}

}
