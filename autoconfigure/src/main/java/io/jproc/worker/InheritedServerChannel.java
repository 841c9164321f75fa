package io.jproc.worker;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;

import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * A {@code java.nio} {@link ServerSocketChannel} on a listening socket this worker
 * inherited from the master, for the servers that accept through the JDK's channels
 * (Tomcat's NIO endpoint, Jetty's {@code ServerConnector}).
 * <p>
 * The JDK wraps only fd 0 ({@code System.inheritedChannel()}, cached for the life of the
 * process), and a worker may inherit two sockets (server and management). So the channel
 * is made the way {@code System.inheritedChannel()} makes its own: the JDK's channel
 * class on a descriptor it did not open, reached by reflection. The master starts every
 * worker with {@code --add-opens=java.base/sun.nio.ch=ALL-UNNAMED} for this; without it,
 * {@link #open} fails with a message that says so. The channel owns a {@code dup} of the
 * inherited descriptor: closing it leaves the inherited one open (see
 * {@link WorkerServer#closeInherited()}).
 * <p>
 * Internal to jproc: public for the server packages ({@code io.jproc.worker.tomcat},
 * {@code io.jproc.worker.jetty}).
 */
public final class InheritedServerChannel {

	private static final POSIX posix = POSIXFactory.getNativePOSIX();

	private InheritedServerChannel() {
	}

	/**
	 * A channel on a {@code dup} of an inherited, bound and listening socket. The channel
	 * is in blocking mode, as a newly opened one is.
	 * @param name what the socket is for ({@code server}, {@code management}), for
	 * messages
	 * @param fd the inherited descriptor
	 * @return the channel, bound to the socket's address
	 * @throws IllegalStateException if the descriptor cannot be duplicated or wrapped
	 */
	public static ServerSocketChannel open(String name, int fd) {
		int copy = posix.dup(fd);
		if (copy < 0) {
			throw new IllegalStateException(
					"jproc: dup of the inherited " + name + " socket (fd " + fd + ") failed, errno " + posix.errno());
		}
		try {
			ServerSocketChannel channel = wrap(copy);
			SocketAddress local = channel.getLocalAddress();
			if (!(local instanceof InetSocketAddress)) {
				channel.close();
				throw new IllegalStateException(
						"jproc: the inherited " + name + " socket (fd " + fd + ") is not a bound TCP socket");
			}
			return channel;
		}
		catch (IOException | ReflectiveOperationException | RuntimeException ex) {
			posix.close(copy);
			if (ex instanceof IllegalStateException state) {
				throw state;
			}
			throw new IllegalStateException(
					"jproc: cannot serve the inherited " + name + " socket (fd " + fd + ") with a java.nio channel: "
							+ ex
							+ (isAccessDenied(ex)
									? "; the worker JVM needs "
											+ "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED, which the master adds"
									: ""),
					ex);
		}
	}

	private static boolean isAccessDenied(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof IllegalAccessException
					|| cause.getClass().getName().endsWith("InaccessibleObjectException")) {
				return true;
			}
		}
		return false;
	}

	private static ServerSocketChannel wrap(int fd) throws IOException, ReflectiveOperationException {
		Class<?> ioUtil = Class.forName("sun.nio.ch.IOUtil");
		Method newFd = ioUtil.getMethod("newFD", int.class);
		newFd.setAccessible(true);
		FileDescriptor descriptor = (FileDescriptor) newFd.invoke(null, fd);
		Class<?> impl = Class.forName("sun.nio.ch.ServerSocketChannelImpl");
		Constructor<?> constructor = impl.getDeclaredConstructor(SelectorProvider.class, ProtocolFamily.class,
				FileDescriptor.class, boolean.class);
		constructor.setAccessible(true);
		return (ServerSocketChannel) constructor.newInstance(SelectorProvider.provider(), StandardProtocolFamily.INET,
				descriptor, true);
	}

}
