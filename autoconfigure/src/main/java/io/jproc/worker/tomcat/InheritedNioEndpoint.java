package io.jproc.worker.tomcat;

import java.io.IOException;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.jspecify.annotations.Nullable;

/**
 * Tomcat's NIO endpoint on a socket inherited from the master: it never binds, never
 * blocks in {@code accept()} and never connects to its own address to wake its acceptor
 * (see {@link InheritedAcceptor}). NioEndpoint's own server socket field is private and
 * stays unused: the four protected methods that reach it are overridden.
 */
final class InheritedNioEndpoint extends NioEndpoint {

	private volatile @Nullable InheritedAcceptor inherited;

	private final InheritedAcceptor.EndpointState state = new InheritedAcceptor.EndpointState() {

		@Override
		public boolean running() {
			return isRunning();
		}

		@Override
		public boolean paused() {
			return isPaused();
		}

	};

	/**
	 * Tomcat puts every connection it takes on in {@code connections} (in
	 * {@code setSocketOptions}, on the acceptor thread, before the next accept) and
	 * removes it when its socket wrapper closes (once per wrapper): the open and close
	 * the balance counts.
	 */
	InheritedNioEndpoint() {
		this.connections = new CountedConnections();
	}

	void serve(InheritedAcceptor acceptor) {
		this.inherited = acceptor;
	}

	@Nullable InheritedAcceptor inherited() {
		return this.inherited;
	}

	private InheritedAcceptor required() {
		InheritedAcceptor acceptor = this.inherited;
		if (acceptor == null) {
			throw new IllegalStateException("jproc: this Tomcat connector was given no inherited socket; a jproc "
					+ "worker's connectors serve only the master's sockets (additional connectors are not supported)");
		}
		return acceptor;
	}

	@Override
	protected void initServerSocket() throws Exception {
		required().open();
	}

	@Override
	protected @Nullable NetworkChannel getServerSocket() {
		InheritedAcceptor acceptor = this.inherited;
		return (acceptor != null) ? acceptor.channel() : null;
	}

	@Override
	protected SocketChannel serverSocketAccept() throws Exception {
		return required().accept(this.state);
	}

	@Override
	protected boolean setSocketOptions(SocketChannel socket) {
		try {
			return super.setSocketOptions(socket);
		}
		finally {
			InheritedAcceptor acceptor = this.inherited;
			if (acceptor != null) {
				acceptor.released();
			}
		}
	}

	@Override
	protected void destroySocket(SocketChannel socket) {
		try {
			super.destroySocket(socket);
		}
		finally {
			InheritedAcceptor acceptor = this.inherited;
			if (acceptor != null) {
				acceptor.released();
			}
		}
	}

	@Override
	protected void doCloseServerSocket() throws IOException {
		InheritedAcceptor acceptor = this.inherited;
		if (acceptor != null) {
			acceptor.closeChannel();
		}
	}

	@Override
	protected void unlockAccept() {
		InheritedAcceptor acceptor = this.inherited;
		if (acceptor != null) {
			acceptor.wake();
		}
	}

	/**
	 * Tomcat's map of open connections, reporting each entry added and removed to the
	 * acceptor's counter.
	 */
	private final class CountedConnections extends ConcurrentHashMap<SocketChannel, SocketWrapperBase<NioChannel>> {

		@Override
		public @Nullable SocketWrapperBase<NioChannel> put(SocketChannel key, SocketWrapperBase<NioChannel> value) {
			SocketWrapperBase<NioChannel> previous = super.put(key, value);
			InheritedAcceptor acceptor = InheritedNioEndpoint.this.inherited;
			if (previous == null && acceptor != null) {
				acceptor.connectionOpened();
			}
			return previous;
		}

		@Override
		public @Nullable SocketWrapperBase<NioChannel> remove(Object key) {
			SocketWrapperBase<NioChannel> removed = super.remove(key);
			InheritedAcceptor acceptor = InheritedNioEndpoint.this.inherited;
			if (removed != null && acceptor != null) {
				acceptor.connectionClosed();
			}
			return removed;
		}

	}

}
