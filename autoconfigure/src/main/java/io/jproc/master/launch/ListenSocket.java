package io.jproc.master.launch;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;
import org.jspecify.annotations.Nullable;

/**
 * A listening TCP socket the master opens once and hands to every worker. It is
 * non-blocking (the flag is shared by every process holding it, and a blocking one would
 * hang a worker's event loop in accept) and close-on-exec in the master.
 */
public final class ListenSocket implements AutoCloseable {

	private final String name;

	private final Socket socket;

	private final InetSocketAddress address;

	private final Source source;

	private final AtomicBoolean closed = new AtomicBoolean();

	private ListenSocket(String name, Socket socket, InetSocketAddress address, Source source) {
		this.name = name;
		this.socket = socket;
		this.address = address;
		this.source = source;
	}

	/**
	 * A socket handed over by systemd (socket activation), already bound and listening,
	 * checked by {@code SocketActivation}.
	 * @param name what the socket is for
	 * @param fd the descriptor
	 * @return the listening socket
	 * @throws IOException if its address cannot be read
	 */
	public static ListenSocket adopt(String name, int fd) throws IOException {
		Socket socket = new Socket(fd);
		return new ListenSocket(name, socket, socket.localAddress(), Source.SYSTEMD);
	}

	/**
	 * Bind and listen.
	 * @param name what the socket is for, such as {@code server} or {@code management}
	 * @param host the address to bind, {@code null} for every address
	 * @param port the port, {@code 0} for an ephemeral one
	 * @param backlog the accept queue length
	 * @return the listening socket
	 * @throws IOException if the address cannot be bound (in use, not local, no right)
	 */
	/**
	 * A socket this process already has, from a JVM it was before an {@code execve} (the
	 * lean master's hand-off).
	 * @param name the socket's name, {@code server} or {@code management}
	 * @param fd the descriptor
	 * @param source how the previous JVM got it
	 * @return the socket
	 * @throws IOException if the descriptor is not a socket
	 */
	public static ListenSocket inherit(String name, int fd, Source source) throws IOException {
		Epoll.ensureAvailability();
		Socket socket = new Socket(fd);
		return new ListenSocket(name, socket, socket.localAddress(), source);
	}

	public static ListenSocket open(String name, @Nullable InetAddress host, int port, int backlog) throws IOException {
		Epoll.ensureAvailability();
		Socket socket = Socket.newSocketStream();
		try {
			socket.setReuseAddress(true);
			InetSocketAddress wanted = (host != null) ? new InetSocketAddress(host, port) : new InetSocketAddress(port);
			socket.bind(wanted);
			socket.listen(backlog);
			return new ListenSocket(name, socket, socket.localAddress(), Source.BOUND);
		}
		catch (IOException ex) {
			socket.close();
			throw ex;
		}
	}

	public String name() {
		return this.name;
	}

	/**
	 * The descriptor number of the socket.
	 * @return its fd
	 */
	public int fd() {
		return this.socket.intValue();
	}

	public InetSocketAddress address() {
		return this.address;
	}

	public Source source() {
		return this.source;
	}

	public String describe() {
		String host = this.address.getAddress().isAnyLocalAddress() ? "*" : this.address.getAddress().getHostAddress();
		if (host.contains(":")) {
			host = "[" + host + "]";
		}
		return host + ":" + this.address.getPort();
	}

	/**
	 * Stop listening and close the master's copy; only the first call has an effect. A
	 * socket the master bound is shut down for reading first, which on Linux ends the
	 * listening for every process holding a copy: new connections are refused at once
	 * while the workers' server channels stay open and their graceful shutdown waits for
	 * in-flight requests. Under socket activation systemd keeps its socket listening, so
	 * connections wait in the backlog for the next master.
	 */
	@Override
	public void close() {
		if (!this.closed.compareAndSet(false, true)) {
			return;
		}
		try {
			if (this.source == Source.BOUND) {
				this.socket.shutdown(true, false);
			}
			this.socket.close();
		}
		catch (IOException ex) {
			// Nothing more to do at shutdown.
		}
	}

	/** Where a listening socket came from. */
	public enum Source {

		/** Bound by the master from {@code server.address}/{@code server.port}. */
		BOUND,

		/** Passed by systemd (socket activation, {@code LISTEN_FDS}). */
		SYSTEMD;

		public String value() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}

	}

}
