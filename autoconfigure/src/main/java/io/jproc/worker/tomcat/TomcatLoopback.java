package io.jproc.worker.tomcat;

import io.jproc.worker.WorkerServer;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Service;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.http11.Http11NioProtocol;

/**
 * The warm-up's way into the application: a second, private connector on an ephemeral
 * port of 127.0.0.1, added to the worker's own Tomcat service for the warm-up and removed
 * after it. Its requests go through the same engine, host and context as the shared
 * socket's (every filter, the {@code DispatcherServlet}, every controller), so they load
 * and compile the code real requests run; only the connector differs (plain NIO, a small
 * pool of its own). A second Tomcat would need a second context and a second copy of the
 * application's servlets; a connector is all the warm-up lacks.
 */
final class TomcatLoopback implements WorkerServer.Loopback {

	private static final int THREADS = 4;

	private final Tomcat tomcat;

	TomcatLoopback(Tomcat tomcat) {
		this.tomcat = tomcat;
	}

	@Override
	public WorkerServer.Bound bind() {
		Service service = this.tomcat.getService();
		Connector connector = new Connector(Http11NioProtocol.class.getName());
		connector.setPort(0);
		connector.setProperty("address", "127.0.0.1");
		connector.setProperty("maxThreads", String.valueOf(THREADS));
		connector.setProperty("minSpareThreads", "1");
		service.addConnector(connector);
		if (connector.getState() != LifecycleState.STARTED) {
			service.removeConnector(connector);
			throw new IllegalStateException(
					"jproc: the warm-up's loopback connector did not start (" + connector.getState() + ")");
		}
		return WorkerServer.Bound.of(connector.getLocalPort(), () -> {
			service.removeConnector(connector);
			try {
				connector.destroy();
			}
			catch (Exception ex) {
				// Stopped already; nothing more to free.
			}
		});
	}

}
