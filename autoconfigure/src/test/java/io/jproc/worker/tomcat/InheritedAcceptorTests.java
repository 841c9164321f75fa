package io.jproc.worker.tomcat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link InheritedAcceptor}, on a real listening socket that a second channel
 * (the sibling worker) shares: held and paused acceptors take nothing, what they leave
 * stays queued for the sibling, and a socket the master shut down ends nothing but the
 * accepting.
 */
class InheritedAcceptorTests {

	private static final Duration BOUND = Duration.ofSeconds(10);

	private final ExecutorService threads = Executors.newCachedThreadPool();

	private final AtomicBoolean running = new AtomicBoolean(true);

	private final InheritedAcceptor.EndpointState endpoint = new InheritedAcceptor.EndpointState() {

		@Override
		public boolean running() {
			return InheritedAcceptorTests.this.running.get();
		}

		@Override
		public boolean paused() {
			return false;
		}

	};

	private ServerSocketChannel listening;

	private InheritedAcceptor acceptor;

	@BeforeEach
	void listen() throws Exception {
		this.listening = ServerSocketChannel.open();
		this.listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
		this.acceptor = new InheritedAcceptor("server", fdOf(this.listening));
	}

	@AfterEach
	void close() throws Exception {
		this.running.set(false);
		this.acceptor.closeChannel();
		this.threads.shutdownNow();
		assertThat(this.threads.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
		this.listening.close();
	}

	@Test
	void heldAcceptorTakesNothingUntilToldAndThenTakesTheQueuedConnection() throws Exception {
		this.acceptor.hold();
		this.acceptor.open();
		CompletableFuture<SocketChannel> accepted = acceptInBackground();
		try (Socket client = connect()) {
			Thread.sleep(300);
			assertThat(accepted).as("accepted while held").isNotDone();
			this.acceptor.startAccepting();
			try (SocketChannel channel = accepted.get(BOUND.toSeconds(), TimeUnit.SECONDS)) {
				assertThat(channel.getRemoteAddress()).isEqualTo(client.getLocalSocketAddress());
			}
		}
	}

	@Test
	void pausedAcceptorLeavesNewConnectionsQueuedForTheSibling() throws Exception {
		this.acceptor.open();
		CompletableFuture<SocketChannel> first = acceptInBackground();
		try (Socket client = connect(); SocketChannel channel = first.get(BOUND.toSeconds(), TimeUnit.SECONDS)) {
			assertThat(channel).isNotNull();
		}
		CompletableFuture<SocketChannel> next = acceptInBackground();
		this.acceptor.pauseAccepting();
		try (Socket client = connect()) {
			Thread.sleep(300);
			assertThat(next).as("accepted after pause() returned").isNotDone();
			// The sibling (the original descriptor) finds it in the kernel's queue.
			try (SocketChannel sibling = this.listening.accept()) {
				assertThat(sibling.getRemoteAddress()).isEqualTo(client.getLocalSocketAddress());
			}
		}
	}

	@Test
	void socketShutDownByTheMasterStopsAcceptingQuietlyUntilTheEndpointStops() throws Exception {
		this.acceptor.open();
		CompletableFuture<SocketChannel> accepted = acceptInBackground();
		Thread.sleep(100);
		// What the master does at the start of a pool shutdown: accept(2) fails with
		// EINVAL in every process from now on.
		io.netty.channel.epoll.Epoll.ensureAvailability();
		new io.netty.channel.unix.Socket(fdOf(this.listening)).shutdown(true, false);
		Thread.sleep(300);
		assertThat(accepted).as("accept gave up or threw on the shut down socket").isNotDone();
		this.running.set(false);
		assertThatExceptionOfType(java.util.concurrent.ExecutionException.class)
			.isThrownBy(() -> accepted.get(BOUND.toSeconds(), TimeUnit.SECONDS))
			.withCauseInstanceOf(ClosedChannelException.class);
	}

	@Test
	void closeInheritedClosesBothCopiesAndTheKernelRefuses() throws Exception {
		// The inherited descriptor: a copy of the test's, which it closes itself.
		int inherited = jnr.posix.POSIXFactory.getNativePOSIX().dup(fdOf(this.listening));
		this.acceptor = new InheritedAcceptor("server", inherited);
		this.acceptor.open();
		this.acceptor.closeInherited();
		assertThat(jnr.posix.POSIXFactory.getNativePOSIX().fcntl(inherited, jnr.constants.platform.Fcntl.F_GETFD))
			.as("the inherited descriptor is closed")
			.isNegative();
		java.net.SocketAddress address = this.listening.getLocalAddress();
		this.listening.close();
		assertThatExceptionOfType(java.net.ConnectException.class).isThrownBy(() -> {
			try (Socket socket = new Socket()) {
				socket.connect(address, 2000);
			}
		});
	}

	private CompletableFuture<SocketChannel> acceptInBackground() {
		return CompletableFuture.supplyAsync(() -> {
			try {
				return this.acceptor.accept(this.endpoint);
			}
			catch (Exception ex) {
				throw new java.util.concurrent.CompletionException(ex);
			}
		}, this.threads);
	}

	private Socket connect() throws Exception {
		Socket socket = new Socket();
		socket.connect(this.listening.getLocalAddress(), 2000);
		return socket;
	}

	static int fdOf(ServerSocketChannel channel) throws Exception {
		java.lang.reflect.Method getFdVal = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
		getFdVal.setAccessible(true);
		return (int) getFdVal.invoke(channel);
	}

}
