package io.jproc.master.systemd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Tells systemd about the master's state ({@code sd_notify}): one datagram per message to
 * the Unix socket named by {@code NOTIFY_SOCKET}, a file system path or, starting with
 * {@code @}, an abstract address. Without {@code NOTIFY_SOCKET} it does nothing. Called
 * on the arbiter thread only.
 */
public final class SystemdNotifier implements AutoCloseable {

	/** Where the service's main process sends its notifications. */
	static final String NOTIFY_SOCKET = "NOTIFY_SOCKET";

	/** The watchdog's period, in microseconds. */
	static final String WATCHDOG_USEC = "WATCHDOG_USEC";

	/** The process the watchdog is meant for. */
	static final String WATCHDOG_PID = "WATCHDOG_PID";

	private static final Log logger = LogFactory.getLog(SystemdNotifier.class);

	private final @Nullable UnixSocketAddress address;

	private final @Nullable Duration watchdogInterval;

	private @Nullable UnixDatagramChannel channel;

	private boolean failureLogged;

	private SystemdNotifier(@Nullable UnixSocketAddress address, @Nullable Duration watchdogInterval) {
		this.address = address;
		this.watchdogInterval = watchdogInterval;
	}

	/**
	 * The notifier the environment asks for.
	 * @param environment the process environment
	 * @param pid this process's id
	 * @return the notifier, inactive when {@code NOTIFY_SOCKET} is not set
	 */
	public static SystemdNotifier from(Map<String, String> environment, long pid) {
		String socket = environment.get(NOTIFY_SOCKET);
		if (socket == null || socket.isEmpty()) {
			return new SystemdNotifier(null, null);
		}
		if (!socket.startsWith("/") && !socket.startsWith("@")) {
			// Such as vsock:..., which newer systemd versions use for virtual machines.
			logger.warn("jproc master: NOTIFY_SOCKET=" + socket + " is neither a path (/...) nor an abstract "
					+ "address (@...), which are what jproc supports; systemd will not hear from this master");
			return new SystemdNotifier(null, null);
		}
		String path = socket.startsWith("@") ? "\0" + socket.substring(1) : socket;
		return new SystemdNotifier(new UnixSocketAddress(path), watchdogInterval(environment, pid));
	}

	/**
	 * Half of {@code WATCHDOG_USEC}, as {@code sd_watchdog_enabled} advises, when the
	 * watchdog is meant for this process.
	 * @param environment the process's environment
	 * @param pid this process's pid
	 * @return the interval to notify at, {@code null} when there is no watchdog for this
	 * process
	 * @throws IllegalStateException if {@code WATCHDOG_USEC} is not a number
	 */
	static @Nullable Duration watchdogInterval(Map<String, String> environment, long pid) {
		String usec = environment.get(WATCHDOG_USEC);
		if (usec == null || usec.isEmpty()) {
			return null;
		}
		String watchdogPid = environment.get(WATCHDOG_PID);
		if (watchdogPid != null && !watchdogPid.isEmpty() && !watchdogPid.equals(Long.toString(pid))) {
			return null;
		}
		try {
			long micros = Long.parseLong(usec);
			return (micros > 0) ? Duration.ofNanos(micros * 1000 / 2) : null;
		}
		catch (NumberFormatException ex) {
			throw new IllegalStateException("jproc: WATCHDOG_USEC=" + usec + " is not a number of microseconds");
		}
	}

	boolean isActive() {
		return this.address != null;
	}

	/**
	 * How often {@code WATCHDOG=1} must be sent.
	 * @return half of {@code WATCHDOG_USEC}, {@code null} when there is no watchdog
	 */
	@Nullable Duration watchdogInterval() {
		return this.watchdogInterval;
	}

	/**
	 * Send one notification, such as {@code READY=1\nSTATUS=2/2 workers ready}. A failure
	 * is logged once and otherwise ignored: systemd's view must never stop the pool.
	 * @param state newline-separated assignments
	 */
	void notify(String state) {
		if (this.address == null) {
			return;
		}
		try {
			if (this.channel == null) {
				this.channel = UnixDatagramChannel.open();
			}
			this.channel.send(ByteBuffer.wrap(state.getBytes(StandardCharsets.UTF_8)), this.address);
		}
		catch (IOException | RuntimeException ex) {
			if (!this.failureLogged) {
				this.failureLogged = true;
				logger.warn("jproc master: cannot notify systemd at " + this.address.humanReadablePath() + " ("
						+ ex.getMessage() + "); further failures are not logged");
			}
		}
	}

	@Override
	public void close() {
		if (this.channel != null) {
			try {
				this.channel.close();
			}
			catch (IOException ex) {
				// Nothing to do.
			}
		}
	}

}
