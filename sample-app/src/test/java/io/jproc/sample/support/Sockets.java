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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the kernel says about sockets: which listening sockets exist and which a process
 * holds, read from {@code /proc}.
 */
public final class Sockets {

	private static final String LISTEN = "0A";

	private static final Pattern EPOLL_WATCH = Pattern.compile("tfd:\\s*\\d+ events:\\s*([0-9a-f]+) .*ino:([0-9a-f]+)");

	private static final long EPOLLIN = 0x1;

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
	 * Whether a process accepts on a listening socket now: one of its epoll sets watches
	 * the socket for EPOLLIN. A worker that paused accepting (Netty's auto-read off) has
	 * the socket registered without EPOLLIN. Read from {@code /proc/PID/fdinfo}.
	 * @param pid the process
	 * @param listeningInode the socket's inode
	 * @return {@code true} if it accepts
	 */
	public static boolean isAccepting(long pid, long listeningInode) {
		String inode = Long.toHexString(listeningInode);
		Path proc = Path.of("/proc", Long.toString(pid));
		try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
			for (Path fd : fds) {
				try {
					if (!Files.readSymbolicLink(fd).toString().contains("eventpoll")) {
						continue;
					}
					for (String line : Files.readAllLines(proc.resolve("fdinfo").resolve(fd.getFileName()))) {
						Matcher watch = EPOLL_WATCH.matcher(line);
						if (watch.find() && watch.group(2).equals(inode)
								&& (Long.parseLong(watch.group(1), 16) & EPOLLIN) != 0) {
							return true;
						}
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
		return false;
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
