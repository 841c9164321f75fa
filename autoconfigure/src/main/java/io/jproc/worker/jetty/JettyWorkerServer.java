package io.jproc.worker.jetty;

import io.jproc.WorkerEnvironment;
import io.jproc.worker.InheritedSocketPair;
import io.jproc.worker.WorkerServer;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;

/**
 * The listening sockets this worker inherited, served by Jetty: the application's and,
 * when {@code management.server.port} is set, the management server's; Jetty's
 * {@link WorkerServer}. Pausing waits for the selectors, which also report the
 * application socket's connections as they accept them and as their endpoints close.
 * <p>
 * Internal to jproc: public because it is the type of a bean an application could replace
 * ({@code @ConditionalOnMissingBean}) and tests reach its sockets.
 */
public final class JettyWorkerServer extends InheritedSocketPair<InheritedSocket> {

	private JettyWorkerServer(WorkerEnvironment environment, boolean warmup) {
		super(environment, warmup, "worker", InheritedSocket::new);
	}

	/**
	 * The sockets named by the worker environment, held for a spare and for a worker that
	 * warms up before it takes connections.
	 * @param environment the worker environment
	 * @param warmup whether the worker warms up first ({@code jproc.warmup.requests})
	 * @return the sockets
	 */
	public static JettyWorkerServer from(WorkerEnvironment environment, boolean warmup) {
		return new JettyWorkerServer(environment, warmup);
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
