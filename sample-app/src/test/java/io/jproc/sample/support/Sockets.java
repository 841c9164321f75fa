package io.jproc.sample.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the kernel says about sockets: which listening sockets exist and which a process
 * holds, read from {@code /proc}.
 */
public final class Sockets {

	private static final String LISTEN = "0A";

	private Sockets() {
	}

	/**
	 * Inodes of every listening TCP socket on this machine.
	 * @return the inodes
	 */
	public static Set<Long> listeningInodes() {
		Set<Long> inodes = new HashSet<>();
		for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
			try {
				for (String line : Files.readAllLines(Path.of(table))) {
					String[] fields = line.trim().split("\\s+");
					if (fields.length > 9 && LISTEN.equals(fields[3])) {
						inodes.add(Long.parseLong(fields[9]));
					}
				}
			}
			catch (IOException | NumberFormatException ex) {
				// No such table (IPv6 off): nothing listens there.
			}
		}
		return inodes;
	}

	/**
	 * Inodes of the sockets a process holds.
	 * @param pid the process
	 * @return the inodes
	 */
	public static Set<Long> socketInodes(long pid) {
		Set<Long> inodes = new HashSet<>();
		try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
			for (Path fd : fds) {
				try {
					String target = Files.readSymbolicLink(fd).toString();
					if (target.startsWith("socket:[")) {
						inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
					}
				}
				catch (IOException ex) {
					// Closed meanwhile.
				}
			}
		}
		catch (IOException ex) {
			// Process gone.
		}
		return inodes;
	}

	/**
	 * Listening sockets a process holds.
	 * @param pid the process
	 * @return their inodes
	 */
	public static Set<Long> listeningSocketsOf(long pid) {
		Set<Long> held = socketInodes(pid);
		held.retainAll(listeningInodes());
		return held;
	}

	/**
	 * Whether a port on 127.0.0.1 can be bound right now.
	 * @param port the port
	 * @return {@code true} if free
	 */
	public static boolean canBind(int port) {
		try (ServerSocket socket = new ServerSocket()) {
			socket.setReuseAddress(true);
			socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

}
