package io.jproc.worker.jetty;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import io.jproc.worker.InheritedSocketPair;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.jspecify.annotations.Nullable;

/**
 * A listening socket this worker inherited from its master, served by Jetty: it replaces
 * the connector Boot made for the server ({@link #serve(Server)}) by an
 * {@link InheritedConnector} with the same protocols, and holds, pauses and closes
 * accepting on this worker's copy of the socket.
 * <p>
 * Internal to jproc: public as the type of {@link JettyWorkerServer}'s components.
 */
public final class InheritedSocket implements InheritedSocketPair.Socket {

	private static final POSIX posix = POSIXFactory.getNativePOSIX();

	private final String name;

	private final int fd;

	private final AcceptGate gate;

	private final AtomicBoolean inheritedClosed = new AtomicBoolean();

	private volatile @Nullable InheritedConnector connector;

	/**
	 * Wrap an inherited descriptor.
	 * @param name what the socket is for, such as {@code server}
	 * @param fd the inherited descriptor of a listening TCP socket
	 * @param held whether accepting is held until {@link #startAccepting()}
	 */
	public InheritedSocket(String name, int fd, boolean held) {
		this.name = name;
		this.fd = fd;
		this.gate = new AcceptGate(held);
	}

	/**
	 * What the socket is for.
	 * @return {@code server} or {@code management}
	 */
	public String name() {
		return this.name;
	}

	/**
	 * Make a Jetty server serve this socket: its network connector (Boot makes one, or
	 * one for TLS) is replaced by an {@link InheritedConnector} with the same connection
	 * factories, idle timeouts and name.
	 * @param server the server, before it starts
	 * @throws IllegalStateException if the server has no single network connector to
	 * replace, or this socket serves another server already
	 */
	public void serve(Server server) {
		Connector[] connectors = server.getConnectors();
		if (connectors.length != 1 || !(connectors[0] instanceof ServerConnector template)) {
			throw new IllegalStateException("jproc: Jetty serves the " + this.name
					+ " socket inherited from the master with one connector, but the server has " + connectors.length
					+ " connectors " + List.of(connectors) + "; remove the other connectors");
		}
		if (this.connector != null) {
			throw new IllegalStateException("jproc: the inherited " + this.name + " socket is served already");
		}
		InheritedConnector replacement = new InheritedConnector(server, this.name, this.fd, this.gate,
				template.getSelectorManager().getSelectorCount(),
				template.getConnectionFactories().toArray(ConnectionFactory[]::new));
		replacement.setName(template.getName());
		replacement.setHost(template.getHost());
		replacement.setPort(template.getPort());
		replacement.setDefaultProtocol(template.getDefaultProtocol());
		replacement.setIdleTimeout(template.getIdleTimeout());
		replacement.setShutdownIdleTimeout(template.getShutdownIdleTimeout());
		replacement.setAcceptedTcpNoDelay(template.getAcceptedTcpNoDelay());
		replacement.setAcceptedReceiveBufferSize(template.getAcceptedReceiveBufferSize());
		replacement.setAcceptedSendBufferSize(template.getAcceptedSendBufferSize());
		server.setConnectors(new Connector[] { replacement });
		limitConnections(server, template, replacement);
		this.connector = replacement;
	}

	/**
	 * Boot's {@code server.max-connections} is a bean of the server that names the
	 * connectors it limits, added before the server customizers run: limit the
	 * replacement instead.
	 * @param server the server
	 * @param template the connector Boot made
	 * @param replacement the connector that replaces it
	 */
	private static void limitConnections(Server server, ServerConnector template, ServerConnector replacement) {
		for (NetworkConnectionLimit limit : new ArrayList<>(server.getBeans(NetworkConnectionLimit.class))) {
			server.removeBean(limit);
			NetworkConnectionLimit replaced = new NetworkConnectionLimit(limit.getMaxNetworkConnectionCount(),
					replacement);
			replaced.setEndPointIdleTimeout(limit.getEndPointIdleTimeout());
			server.addBean(replaced);
		}
	}

	/**
	 * Whether accepting is held (a spare that has no slot yet, a worker warming up).
	 * @return {@code true} until {@link #startAccepting()}
	 */
	@Override
	public boolean isHeld() {
		return this.gate.isHeld();
	}

	/**
	 * Whether this worker accepts connections on the socket now.
	 * @return {@code true} while serving, not held and not paused
	 */
	public boolean isAccepting() {
		return this.gate.isAccepting();
	}

	/**
	 * End the hold: accept now, or as soon as the server has started.
	 */
	@Override
	public void startAccepting() {
		this.gate.open();
	}

	/**
	 * Stop accepting on this worker's copy of the socket for good; the other workers keep
	 * accepting and queued connections stay queued.
	 * @return completes once no connection can be accepted any more
	 */
	@Override
	public CompletableFuture<Void> pauseAccepting() {
		return this.gate.shut();
	}

	/**
	 * Report every connection accepted on this socket as it opens and closes, see
	 * {@link io.jproc.worker.WorkerServer#countConnections}.
	 * @param counter the counter
	 */
	@Override
	public void countConnections(io.jproc.worker.WorkerServer.ConnectionCounter counter) {
		this.gate.countConnections(counter);
	}

	/**
	 * Stop or resume accepting to spread connections, see
	 * {@link io.jproc.worker.WorkerServer#balanceAccepting}; it never ends a hold or a
	 * pause.
	 * @param accept {@code true} to accept again
	 */
	@Override
	public void balanceAccepting(boolean accept) {
		this.gate.balance(accept);
	}

	/**
	 * The port the server serves, once started.
	 * @return the port, or {@code -1} before
	 */
	public int port() {
		InheritedConnector current = this.connector;
		return (current != null) ? current.getLocalPort() : -1;
	}

	/**
	 * Close the inherited descriptor itself, not the connector's duplicate: once the
	 * master and every worker have closed theirs, the kernel refuses new connections.
	 */
	@Override
	public void closeInherited() {
		if (this.inheritedClosed.compareAndSet(false, true)) {
			posix.close(this.fd);
		}
	}

	@Override
	public String toString() {
		return "inherited " + this.name + " socket (fd " + this.fd + ")";
	}

}
