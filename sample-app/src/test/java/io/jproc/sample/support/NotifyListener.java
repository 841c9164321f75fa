package io.jproc.sample.support;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;

/**
 * Plays systemd's side of {@code sd_notify}: a datagram Unix socket, bound to an abstract
 * address ({@code @name}) or a path, that keeps every notification with the time it came.
 */
public final class NotifyListener implements AutoCloseable {

	private final UnixDatagramChannel channel;

	private final String notifySocket;

	private final List<Notification> received = new CopyOnWriteArrayList<>();

	private final Thread reader;

	private NotifyListener(UnixDatagramChannel channel, String notifySocket) {
		this.channel = channel;
		this.notifySocket = notifySocket;
		this.reader = new Thread(this::read, "notify-listener");
		this.reader.setDaemon(true);
		this.reader.start();
	}

	/**
	 * Listen on an abstract address.
	 * @param name the name, without the leading {@code @}
	 * @return the listener
	 * @throws IOException if it cannot bind
	 */
	public static NotifyListener abstractAddress(String name) throws IOException {
		UnixDatagramChannel channel = UnixDatagramChannel.open();
		channel.bind(new UnixSocketAddress("\0" + name));
		return new NotifyListener(channel, "@" + name);
	}

	/**
	 * Listen on a path.
	 * @param path the socket file to create
	 * @return the listener
	 * @throws IOException if it cannot bind
	 */
	public static NotifyListener path(String path) throws IOException {
		UnixDatagramChannel channel = UnixDatagramChannel.open();
		channel.bind(new UnixSocketAddress(path));
		return new NotifyListener(channel, path);
	}

	/**
	 * The value for {@code NOTIFY_SOCKET}.
	 * @return the address as systemd writes it
	 */
	public String notifySocket() {
		return this.notifySocket;
	}

	public List<Notification> received() {
		return List.copyOf(this.received);
	}

	/**
	 * Wait for a notification.
	 * @param what the condition
	 * @param after only notifications at or after this index count
	 * @param timeout the bound
	 * @return the index of the first match
	 */
	public int await(Predicate<String> what, int after, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			List<Notification> all = received();
			for (int i = after; i < all.size(); i++) {
				if (what.test(all.get(i).text())) {
					return i;
				}
			}
			if (System.nanoTime() > deadline) {
				throw new AssertionError("no matching notification within " + timeout + "; received: "
						+ all.stream().map(Notification::text).toList());
			}
			try {
				Thread.sleep(50);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new AssertionError(ex);
			}
		}
	}

	private void read() {
		ByteBuffer buffer = ByteBuffer.allocate(4096);
		while (this.channel.isOpen()) {
			try {
				buffer.clear();
				this.channel.receive(buffer);
				buffer.flip();
				this.received
					.add(new Notification(System.nanoTime(), StandardCharsets.UTF_8.decode(buffer).toString()));
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	@Override
	public void close() throws IOException {
		this.channel.close();
	}

	/**
	 * One datagram.
	 *
	 * @param nanoTime when it came, by {@link System#nanoTime()}
	 * @param text its content, newline-separated assignments
	 */
	public record Notification(long nanoTime, String text) {
	}

}
