package io.jproc.master;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;
import org.jspecify.annotations.Nullable;

/**
 * A listening TCP socket the master opens once and hands to every worker. It is
 * non-blocking (the flag is shared by every process holding it, and a blocking one
 * would hang a worker's event loop in accept) and close-on-exec in the master.
 */
final class ListenSocket implements AutoCloseable {

	private final String name;

	private final Socket socket;

	private final InetSocketAddress address;

	private ListenSocket(String name, Socket socket, InetSocketAddress address) {
		this.name = name;
		this.socket = socket;
		this.address = address;
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
	static ListenSocket open(String name, @Nullable InetAddress host, int port, int backlog) throws IOException {
		Epoll.ensureAvailability();
		Socket socket = Socket.newSocketStream();
		try {
			socket.setReuseAddress(true);
			InetSocketAddress wanted = (host != null) ? new InetSocketAddress(host, port) : new InetSocketAddress(port);
			socket.bind(wanted);
			socket.listen(backlog);
			return new ListenSocket(name, socket, socket.localAddress());
		}
		catch (IOException ex) {
			socket.close();
			throw ex;
		}
	}

	String name() {
		return this.name;
	}

	int fd() {
		return this.socket.intValue();
	}

	InetSocketAddress address() {
		return this.address;
	}

	String describe() {
		String host = this.address.getAddress().isAnyLocalAddress() ? "*" : this.address.getAddress().getHostAddress();
		if (host.contains(":")) {
			host = "[" + host + "]";
		}
		return host + ":" + this.address.getPort();
	}

	@Override
	public void close() {
		try {
			this.socket.close();
		}
		catch (IOException ex) {
			// Nothing more to do at shutdown.
		}
	}

}
