package io.jproc.master.systemd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SystemdNotifier}.
 */
class SystemdNotifierTests {

	@TempDir
	Path temp;

	@Test
	void notifyToPath() throws IOException {
		String path = this.temp.resolve("notify").toString();
		try (UnixDatagramChannel listener = UnixDatagramChannel.open()) {
			listener.bind(new UnixSocketAddress(path));
			try (SystemdNotifier notifier = SystemdNotifier.from(Map.of("NOTIFY_SOCKET", path), 1)) {
				notifier.notify("READY=1\nSTATUS=2/2 workers ready");
			}
			assertThat(receive(listener)).isEqualTo("READY=1\nSTATUS=2/2 workers ready");
		}
	}

	@Test
	void notifyToAbstractAddress() throws IOException {
		String name = "jproc-notifier-test-" + ProcessHandle.current().pid();
		try (UnixDatagramChannel listener = UnixDatagramChannel.open()) {
			listener.bind(new UnixSocketAddress("\0" + name));
			try (SystemdNotifier notifier = SystemdNotifier.from(Map.of("NOTIFY_SOCKET", "@" + name), 1)) {
				notifier.notify("STOPPING=1");
			}
			assertThat(receive(listener)).isEqualTo("STOPPING=1");
		}
	}

	@Test
	void withoutNotifySocketNothingIsSent() {
		SystemdNotifier notifier = SystemdNotifier.from(Map.of("WATCHDOG_USEC", "1000000"), 1);
		assertThat(notifier.isActive()).isFalse();
		notifier.notify("READY=1");
	}

	@Test
	void notifySocketThatIsGoneIsNotFatal() {
		String path = this.temp.resolve("nobody-listens").toString();
		try (SystemdNotifier notifier = SystemdNotifier.from(Map.of("NOTIFY_SOCKET", path), 1)) {
			notifier.notify("READY=1");
			notifier.notify("READY=1");
		}
		assertThat(Files.exists(Path.of(path))).isFalse();
	}

	@Test
	void notifySocketThatIsNeitherPathNorAbstractIsIgnored() {
		assertThat(SystemdNotifier.from(Map.of("NOTIFY_SOCKET", "vsock:2:1234"), 1).isActive()).isFalse();
	}

	@Test
	void watchdogIntervalIsHalfOfWatchdogUsec() {
		assertThat(SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "3000000"), 7))
			.isEqualTo(Duration.ofMillis(1500));
		assertThat(SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "3000000", "WATCHDOG_PID", "7"), 7))
			.isEqualTo(Duration.ofMillis(1500));
	}

	@Test
	void watchdogForAnotherProcessIsIgnored() {
		assertThat(SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "3000000", "WATCHDOG_PID", "8"), 7))
			.isNull();
		assertThat(SystemdNotifier.watchdogInterval(Map.of(), 7)).isNull();
	}

	private static String receive(UnixDatagramChannel listener) throws IOException {
		ByteBuffer buffer = ByteBuffer.allocate(1024);
		listener.receive(buffer);
		buffer.flip();
		return StandardCharsets.UTF_8.decode(buffer).toString();
	}

}
