package io.jproc.worker.tomcat;

import io.jproc.WorkerEnvironment;
import io.jproc.worker.InheritedSocketPair;
import io.jproc.worker.WorkerServer;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;

/**
 * The listening sockets a Tomcat worker inherited (the application's and, with
 * {@code management.server.port}, the management server's): Tomcat's
 * {@link WorkerServer}. Tomcat reports the application socket's connections as its
 * endpoint takes them on and as their socket wrappers close; pausing returns once each
 * acceptor has handed its last connection to Tomcat's poller.
 * <p>
 * Internal to jproc: public as the type of a bean an application could replace.
 */
public final class TomcatSockets extends InheritedSocketPair<InheritedAcceptor> {

	private TomcatSockets(WorkerEnvironment environment, boolean warmup) {
		super(environment, warmup, "Tomcat worker",
				(name, fd, held) -> held ? new InheritedAcceptor(name, fd).hold() : new InheritedAcceptor(name, fd));
	}

	/**
	 * The sockets named by the worker environment; held for a spare and for a worker that
	 * warms up before it takes connections.
	 * @param environment the worker environment
	 * @param warmup whether the worker warms up first
	 * @return the sockets
	 */
	public static TomcatSockets from(WorkerEnvironment environment, boolean warmup) {
		return new TomcatSockets(environment, warmup);
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
