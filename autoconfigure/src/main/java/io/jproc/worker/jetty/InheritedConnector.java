package io.jproc.worker.jetty;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.jproc.worker.InheritedServerChannel;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.Scheduler;
import org.jspecify.annotations.Nullable;

/**
 * A Jetty connector that serves a listening socket this worker inherited from its master
 * and never binds one of its own: {@code openAcceptChannel()} wraps a duplicate of the
 * inherited descriptor ({@link InheritedServerChannel}). Jetty's
 * {@code setInheritChannel(true)} would not do: it takes fd 0 only, and when that fails
 * it logs a warning and binds a socket of its own.
 * <p>
 * It has no acceptor thread: its selectors accept, so that accepting can be held and
 * stopped exactly ({@link AcceptGate}); an acceptor thread blocked in {@code accept()}
 * would take one more connection after being told to stop. A graceful shutdown
 * ({@code shutdown()}, which closes a connector) stops accepting on this worker's copy
 * and closes nothing that the other workers share.
 */
final class InheritedConnector extends ServerConnector {

	private final String socketName;

	private final int fd;

	private final AcceptGate gate;

	/**
	 * Create a connector.
	 * @param server the server
	 * @param socketName what the socket is for ({@code server}, {@code management})
	 * @param fd the inherited descriptor
	 * @param gate whether the connector may accept
	 * @param selectors the number of selectors, {@code -1} for Jetty's default
	 * @param factories the connection factories (HTTP/1.1, h2c, TLS...)
	 */
	InheritedConnector(Server server, String socketName, int fd, AcceptGate gate, int selectors,
			ConnectionFactory... factories) {
		super(server, null, null, null, 0, selectors, factories);
		this.socketName = socketName;
		this.fd = fd;
		this.gate = gate;
	}

	@Override
	protected SelectorManager newSelectorManager(Executor executor, Scheduler scheduler, int selectors) {
		return new GatedSelectorManager(executor, scheduler, selectors);
	}

	/**
	 * The inherited socket, never a new one.
	 * @throws IllegalStateException if the inherited descriptor cannot be served
	 */
	@Override
	protected ServerSocketChannel openAcceptChannel() {
		try {
			return InheritedServerChannel.open(this.socketName, this.fd);
		}
		catch (IllegalStateException ex) {
			throw new IllegalStateException("jproc: Jetty cannot serve the " + this.socketName
					+ " socket inherited from the master: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Stop accepting on this worker's copy of the socket; the other workers keep
	 * accepting on theirs.
	 * @return completes once no selector of this connector accepts any more
	 */
	CompletableFuture<Void> pauseAccepting() {
		return this.gate.shut();
	}

	/**
	 * Stop accepting, as a graceful shutdown asks: Jetty's own {@code close()} would
	 * leave the selectors accepting (it only closes the channel of acceptor threads).
	 * Returns once every selector has caught up (at most 5 s), so nothing is accepted
	 * after the graceful shutdown reports it stopped accepting.
	 */
	@Override
	public void close() {
		try {
			this.gate.shut().get(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException ex) {
			// A selector that cannot run a task in 5 s is stuck or stopping: the worker
			// leaves anyway.
		}
		super.close();
	}

	@Override
	protected void doStop() throws Exception {
		Object channel = getTransport();
		super.doStop();
		// The selectors close the channel only while it is registered with one; this is
		// the duplicate, the inherited descriptor stays open.
		if (channel instanceof ServerSocketChannel serverChannel) {
			serverChannel.close();
		}
	}

	private static boolean isNotListening(IOException ex) {
		return ex.getMessage() != null && ex.getMessage().contains("Invalid argument");
	}

	@Override
	public String toString() {
		return "jproc-" + this.socketName + "(fd " + this.fd + ")@" + super.toString();
	}

	/**
	 * Jetty's selector manager for a {@code ServerConnector}, with its server channel
	 * registrations passed through the {@link AcceptGate}.
	 */
	private final class GatedSelectorManager extends ServerConnectorManager {

		GatedSelectorManager(Executor executor, Scheduler scheduler, int selectors) {
			super(executor, scheduler, selectors);
		}

		@Override
		public Closeable acceptor(SelectableChannel server) {
			return InheritedConnector.this.gate.register(server, this, super::acceptor);
		}

		/**
		 * Accept one connection, or none. Once the master has shut the socket down at the
		 * start of a pool shutdown, {@code accept(2)} fails with {@code EINVAL} in every
		 * process that holds it, and the selector reports the channel ready again and
		 * again: Jetty would log "Accept failed" in a loop until the worker stops. The
		 * socket no longer listens, so this worker stops accepting on it.
		 */
		@Override
		protected @Nullable SelectableChannel doAccept(SelectableChannel server) throws IOException {
			AcceptGate gate = InheritedConnector.this.gate;
			if (gate.isBalancedOff()) {
				// Leave the connection in the kernel's queue for the other workers, and
				// stop the selector from reporting the channel ready meanwhile.
				gate.refreshInterest();
				return null;
			}
			try {
				SelectableChannel accepted = super.doAccept(server);
				if (accepted != null) {
					// Counted here, on the selector thread, so that a balancer that
					// stops accepting does so before the next accept of the same turn.
					gate.opened();
				}
				return accepted;
			}
			catch (IOException ex) {
				if (isNotListening(ex)) {
					InheritedConnector.this.gate.shut();
					return null;
				}
				throw ex;
			}
		}

		@Override
		protected void onAcceptFailed(SelectableChannel channel, Throwable cause) {
			try {
				super.onAcceptFailed(channel, cause);
			}
			finally {
				InheritedConnector.this.gate.closed();
			}
		}

		@Override
		protected void endPointClosed(EndPoint endpoint) {
			try {
				super.endPointClosed(endpoint);
			}
			finally {
				InheritedConnector.this.gate.closed();
			}
		}

	}

}
