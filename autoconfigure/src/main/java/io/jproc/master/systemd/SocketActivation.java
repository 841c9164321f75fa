package io.jproc.master.systemd;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.jproc.master.launch.ListenSocket;
import io.netty.channel.ChannelException;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;
import jnr.constants.platform.Fcntl;
import jnr.constants.platform.OpenFlags;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import org.jspecify.annotations.Nullable;

/**
 * Sockets passed by systemd (socket activation, {@code sd_listen_fds}): when
 * {@code LISTEN_PID} is this process, the {@code LISTEN_FDS} descriptors from 3 on are
 * listening sockets to adopt instead of binding. They are named by {@code LISTEN_FDNAMES}
 * ({@code server}, {@code management}) or taken in order: the server's first, the
 * management server's second.
 */
public final class SocketActivation {

	static final String LISTEN_PID = "LISTEN_PID";

	static final String LISTEN_FDS = "LISTEN_FDS";

	static final String LISTEN_FDNAMES = "LISTEN_FDNAMES";

	/** What workers must not see: the sockets are the master's to adopt. */
	public static final List<String> VARIABLES = List.of(LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES);

	/** {@code SD_LISTEN_FDS_START}. */
	static final int FIRST_FD = 3;

	private static final int SOL_SOCKET = 1;

	private static final int SO_TYPE = 3;

	private static final int SO_ACCEPTCONN = 30;

	private static final int SO_DOMAIN = 39;

	private static final int SOCK_STREAM = 1;

	private static final int AF_INET = 2;

	private static final int AF_INET6 = 10;

	private SocketActivation() {
	}

	/**
	 * The descriptors systemd passed to this process, by name.
	 * @param environment the process environment
	 * @param pid this process's id
	 * @return {@code server} and maybe {@code management} mapped to their descriptors, or
	 * {@code null} when the process was not socket-activated
	 * @throws IllegalStateException if the variables are inconsistent
	 */
	public static @Nullable Map<String, Integer> descriptors(Map<String, String> environment, long pid) {
		String listenPid = environment.get(LISTEN_PID);
		String listenFds = environment.get(LISTEN_FDS);
		if (listenPid == null || listenFds == null || !listenPid.trim().equals(Long.toString(pid))) {
			return null;
		}
		int count;
		try {
			count = Integer.parseInt(listenFds.trim());
		}
		catch (NumberFormatException ex) {
			throw new IllegalStateException("jproc: LISTEN_FDS=" + listenFds + " is not a number");
		}
		if (count < 1 || count > 2) {
			throw new IllegalStateException("jproc: systemd passed " + count + " sockets (LISTEN_FDS=" + listenFds
					+ "); jproc takes 1 (server) or 2 (server, then management)");
		}
		String namesValue = environment.get(LISTEN_FDNAMES);
		List<String> names = (namesValue != null) ? Arrays.asList(namesValue.split(":", -1)) : List.of();
		boolean named = names.size() == count && names.contains("server");
		Map<String, Integer> descriptors = new LinkedHashMap<>();
		for (int i = 0; i < count; i++) {
			String name = named ? names.get(i) : (i == 0) ? "server" : "management";
			if (!name.equals("server") && !name.equals("management") || descriptors.containsKey(name)) {
				throw new IllegalStateException("jproc: LISTEN_FDNAMES=" + namesValue + " names a socket '" + name
						+ "'; name them 'server' and 'management' (FileDescriptorName=), or leave them unnamed "
						+ "and list the server's socket first");
			}
			descriptors.put(name, FIRST_FD + i);
		}
		return descriptors;
	}

	/**
	 * Adopt a passed descriptor: check that it is a listening TCP socket and make it
	 * non-blocking (the flag is shared with every process holding the socket).
	 * @param name what it is for
	 * @param fd the descriptor
	 * @return the socket
	 * @throws IllegalStateException if the descriptor is not a usable listening TCP
	 * socket
	 */
	static ListenSocket adopt(String name, int fd) {
		Epoll.ensureAvailability();
		String what = "jproc: socket activation: fd " + fd + " (" + name + ")";
		try {
			Socket socket = new Socket(fd);
			if (socket.getIntOpt(SOL_SOCKET, SO_TYPE) != SOCK_STREAM) {
				throw new IllegalStateException(
						what + " is not a stream socket; use ListenStream= in the .socket unit");
			}
			int family = socket.getIntOpt(SOL_SOCKET, SO_DOMAIN);
			if (family != AF_INET && family != AF_INET6) {
				throw new IllegalStateException(what + " is not a TCP socket (address family " + family
						+ "); use ListenStream=[address:]port in the .socket unit");
			}
			if (socket.getIntOpt(SOL_SOCKET, SO_ACCEPTCONN) == 0) {
				throw new IllegalStateException(
						what + " is not listening; with Accept=no systemd passes a " + "listening socket");
			}
			setNonBlocking(fd, what);
			return ListenSocket.adopt(name, fd);
		}
		catch (IOException | ChannelException ex) {
			throw new IllegalStateException(what + " cannot be used: " + ex.getMessage()
					+ " (is it a socket? LISTEN_FDS counts descriptors from 3)", ex);
		}
	}

	/**
	 * Adopt every passed socket.
	 * @param descriptors from {@link #descriptors(Map, long)}
	 * @return the sockets, server first
	 */
	public static List<ListenSocket> adoptAll(Map<String, Integer> descriptors) {
		List<ListenSocket> adopted = new ArrayList<>();
		try {
			adopted.add(adopt("server", descriptors.get("server")));
			if (descriptors.containsKey("management")) {
				adopted.add(adopt("management", descriptors.get("management")));
			}
			return adopted;
		}
		catch (RuntimeException ex) {
			adopted.forEach(ListenSocket::close);
			throw ex;
		}
	}

	private static void setNonBlocking(int fd, String what) {
		POSIX posix = POSIXFactory.getNativePOSIX();
		int flags = posix.fcntlInt(fd, Fcntl.F_GETFL, 0);
		if (flags < 0 || posix.fcntlInt(fd, Fcntl.F_SETFL, flags | OpenFlags.O_NONBLOCK.intValue()) < 0) {
			throw new IllegalStateException(what + ": cannot make it non-blocking, errno " + posix.errno());
		}
	}

}
