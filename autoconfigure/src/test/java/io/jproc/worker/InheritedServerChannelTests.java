package io.jproc.worker;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import jnr.posix.POSIXFactory;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link InheritedServerChannel}: a JDK channel on a descriptor the JDK did not
 * open, as a Tomcat or Jetty worker gets it.
 */
class InheritedServerChannelTests {

	@Test
	void aChannelOnAnotherChannelsDescriptorShouldAcceptItsConnections() throws Exception {
		try (ServerSocketChannel original = ServerSocketChannel.open()) {
			original.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
			int fd = fdOf(original);
			try (ServerSocketChannel inherited = InheritedServerChannel.open("server", fd)) {
				assertThat(inherited.getLocalAddress()).isEqualTo(original.getLocalAddress());
				try (Socket client = new Socket()) {
					client.connect(original.getLocalAddress(), 2000);
					try (SocketChannel accepted = inherited.accept()) {
						client.getOutputStream().write('x');
						ByteBuffer one = ByteBuffer.allocate(1);
						assertThat(accepted.read(one)).isEqualTo(1);
					}
				}
			}
			// Closing the channel closed its copy, never the inherited descriptor.
			assertThat(original.isOpen()).isTrue();
			try (Socket client = new Socket()) {
				client.connect(original.getLocalAddress(), 2000);
				try (SocketChannel accepted = original.accept()) {
					assertThat(accepted).isNotNull();
				}
			}
		}
	}

	@Test
	void aDescriptorThatIsNoListeningSocketShouldBeRefusedWithItsName() throws Exception {
		int fd = POSIXFactory.getNativePOSIX().open("/dev/null", 0, 0);
		try {
			assertThatIllegalStateException().isThrownBy(() -> InheritedServerChannel.open("management", fd))
				.withMessageContaining("inherited management socket (fd " + fd + ")");
		}
		finally {
			POSIXFactory.getNativePOSIX().close(fd);
		}
	}

	@Test
	void aClosedDescriptorShouldBeRefused() {
		assertThatIllegalStateException().isThrownBy(() -> InheritedServerChannel.open("server", 1_000_000))
			.withMessageContaining("dup of the inherited server socket (fd 1000000) failed");
	}

	static int fdOf(ServerSocketChannel channel) throws Exception {
		java.lang.reflect.Method getFdVal = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
		getFdVal.setAccessible(true);
		return (int) getFdVal.invoke(channel);
	}

}
