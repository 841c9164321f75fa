package io.jproc.master.systemd;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;

import io.jproc.master.launch.ListenSocket;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;
import jnr.constants.platform.Fcntl;
import jnr.constants.platform.OpenFlags;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link SocketActivation}.
 */
class SocketActivationTests {

	private final POSIX posix = POSIXFactory.getNativePOSIX();

	@Test
	void descriptorsWhenNotActivatedAreNull() {
		assertThat(SocketActivation.descriptors(Map.of(), 42)).isNull();
		assertThat(SocketActivation.descriptors(Map.of("LISTEN_PID", "41", "LISTEN_FDS", "1"), 42)).isNull();
	}

	@Test
	void descriptorsInOrderWithoutNames() {
		assertThat(SocketActivation.descriptors(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "2"), 42))
			.containsExactly(Map.entry("server", 3), Map.entry("management", 4));
	}

	@Test
	void descriptorsByName() {
		assertThat(SocketActivation
			.descriptors(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "2", "LISTEN_FDNAMES", "management:server"), 42))
			.containsEntry("server", 4)
			.containsEntry("management", 3);
	}

	@Test
	void descriptorsWithSystemdsDefaultNamesAreTakenInOrder() {
		assertThat(SocketActivation
			.descriptors(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "1", "LISTEN_FDNAMES", "jproc.socket"), 42))
			.containsExactly(Map.entry("server", 3));
	}

	@Test
	void descriptorsWithAnUnknownNameFail() {
		assertThatIllegalStateException()
			.isThrownBy(() -> SocketActivation
				.descriptors(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "2", "LISTEN_FDNAMES", "server:admin"), 42))
			.withMessageContaining("'admin'");
	}

	@Test
	void descriptorsWithTooManySocketsFail() {
		assertThatIllegalStateException()
			.isThrownBy(() -> SocketActivation.descriptors(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "3"), 42))
			.withMessageContaining("LISTEN_FDS=3");
	}

	@Test
	void adoptListeningSocketMakesItNonBlocking() throws IOException {
		Epoll.ensureAvailability();
		Socket listening = Socket.newSocketStream();
		listening.bind(new InetSocketAddress("127.0.0.1", 0));
		listening.listen(16);
		int flags = this.posix.fcntlInt(listening.intValue(), Fcntl.F_GETFL, 0);
		this.posix.fcntlInt(listening.intValue(), Fcntl.F_SETFL, flags & ~OpenFlags.O_NONBLOCK.intValue());
		try (ListenSocket adopted = SocketActivation.adopt("server", listening.intValue())) {
			assertThat(adopted.source()).isEqualTo(ListenSocket.Source.SYSTEMD);
			assertThat(adopted.address().getPort()).isEqualTo(listening.localAddress().getPort());
			assertThat(this.posix.fcntlInt(listening.intValue(), Fcntl.F_GETFL, 0) & OpenFlags.O_NONBLOCK.intValue())
				.isNotZero();
		}
	}

	@Test
	void adoptSocketThatDoesNotListenFails() throws IOException {
		Epoll.ensureAvailability();
		Socket socket = Socket.newSocketStream();
		try {
			assertThatIllegalStateException().isThrownBy(() -> SocketActivation.adopt("server", socket.intValue()))
				.withMessageContaining("is not listening");
		}
		finally {
			socket.close();
		}
	}

	@Test
	void adoptFileFails() {
		int fd = this.posix.open("/dev/null", OpenFlags.O_RDONLY.intValue(), 0);
		try {
			assertThatIllegalStateException().isThrownBy(() -> SocketActivation.adopt("server", fd))
				.withMessageContaining("fd " + fd + " (server) cannot be used");
		}
		finally {
			this.posix.close(fd);
		}
	}

}
