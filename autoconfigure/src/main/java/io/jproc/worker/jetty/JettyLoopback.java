package io.jproc.worker.jetty;

import io.jproc.worker.WorkerServer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The warm-up's private server: one more connector of the application's own Jetty server,
 * on an ephemeral port of 127.0.0.1, so that warm-up requests (and boot cache training)
 * go through the whole handler chain (Boot's handlers, the servlet filters, Spring MVC)
 * and never reach the shared socket. It accepts with its selector (no acceptor thread
 * taken from a small pool) and is removed once the warm-up is over.
 */
final class JettyLoopback implements WorkerServer.Loopback {

	private final Server server;

	JettyLoopback(Server server) {
		this.server = server;
	}

	@Override
	public WorkerServer.Bound bind() {
		ServerConnector connector = new ServerConnector(this.server, 0, 1);
		connector.setHost("127.0.0.1");
		connector.setPort(0);
		connector.setName("jproc-warmup");
		this.server.addConnector(connector);
		try {
			if (!connector.isStarted()) {
				connector.start();
			}
		}
		catch (Exception ex) {
			this.server.removeConnector(connector);
			throw new IllegalStateException("jproc: the warm-up's loopback connector did not start: " + ex, ex);
		}
		return WorkerServer.Bound.of(connector.getLocalPort(), () -> {
			try {
				connector.stop();
			}
			catch (Exception ex) {
				// Stopping anyway; nothing more to free.
			}
			this.server.removeConnector(connector);
		});
	}

}
