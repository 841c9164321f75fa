package io.jproc.worker.netty;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import io.jproc.testsupport.CloseAfterEach;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.EventExecutor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A held {@link InheritedSocket} on a real listening socket served by a real Reactor
 * Netty server, as {@link InheritedSocketCustomizer} sets it up: while held, connections
 * wait in the kernel's accept queue; {@link InheritedSocket#startAccepting()} serves
 * them, whenever it comes relative to the server's start.
 */
class InheritedSocketTests {

	private static final Duration HELD = Duration.ofMillis(500);

	private static final Duration BOUND = Duration.ofSeconds(10);

	@RegisterExtension
	final CloseAfterEach toClose = new CloseAfterEach();

	@BeforeEach
	void needsEpoll() {
		assumeTrue(Epoll.isAvailable(), "needs Linux epoll");
	}

	private Socket listening() throws IOException {
		Socket listening = Socket.newSocketStream();
		this.toClose.add(listening::close);
		listening.bind(new InetSocketAddress("127.0.0.1", 0));
		listening.listen(16);
		return listening;
	}

	private InheritedSocket inherited(Socket listening) {
		InheritedSocket socket = new InheritedSocket("server", listening.intValue());
		this.toClose.add(socket::destroy);
		return socket;
	}

	private DisposableServer start(InheritedSocket socket) {
		DisposableServer server = HttpServer.create()
			.runOn(socket.loopResources())
			.handle((request, response) -> response.sendString(Mono.just("served")))
			.bindNow(BOUND);
		this.toClose.add(() -> server.disposeNow(BOUND));
		return server;
	}

	private java.net.Socket connectAndAsk(Socket listening) throws IOException {
		InetSocketAddress address = (InetSocketAddress) listening.localAddress();
		java.net.Socket client = new java.net.Socket();
		this.toClose.add(client);
		// The kernel completes the handshake and queues the connection: accepted or not.
		client.connect(address, (int) BOUND.toMillis());
		client.getOutputStream()
			.write("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
				.getBytes(StandardCharsets.US_ASCII));
		client.getOutputStream().flush();
		return client;
	}

	private static String response(java.net.Socket client, Duration timeout) throws IOException {
		client.setSoTimeout((int) timeout.toMillis());
		InputStream in = client.getInputStream();
		ByteArrayOutputStream read = new ByteArrayOutputStream();
		byte[] buffer = new byte[1024];
		long deadline = System.nanoTime() + timeout.toNanos();
		int count;
		while ((count = in.read(buffer)) >= 0) {
			read.write(buffer, 0, count);
			if (System.nanoTime() > deadline) {
				break;
			}
		}
		return read.toString(StandardCharsets.US_ASCII);
	}

	private static void await(BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + BOUND.toNanos();
		while (!condition.getAsBoolean()) {
			assertThat(System.nanoTime()).as("condition within " + BOUND).isLessThan(deadline);
			Thread.sleep(10);
		}
	}

	@Test
	void notHeldAcceptsAsBefore() throws Exception {
		Socket listening = listening();
		InheritedSocket socket = inherited(listening);
		start(socket);
		java.net.Socket client = connectAndAsk(listening);
		assertThat(response(client, BOUND)).startsWith("HTTP/1.1 200").endsWith("served");
		assertThat(socket.isHeld()).isFalse();
		assertThat(socket.isAccepting()).isTrue();
	}

	@Test
	void heldServerLeavesConnectionsQueuedUntilStartAccepting() throws Exception {
		Socket listening = listening();
		InheritedSocket socket = inherited(listening).hold();
		DisposableServer server = start(socket);
		assertThat(server.address()).isEqualTo(listening.localAddress());
		assertThat(socket.isHeld()).isTrue();
		assertThat(socket.isAccepting()).isFalse();
		java.net.Socket client = connectAndAsk(listening);
		assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(() -> response(client, HELD));
		assertThat(socket.isAccepting()).isFalse();
		socket.startAccepting();
		assertThat(response(client, BOUND)).startsWith("HTTP/1.1 200").endsWith("served");
		await(socket::isAccepting);
		assertThat(socket.isHeld()).isFalse();
		// Still accepting new connections afterwards.
		assertThat(response(connectAndAsk(listening), BOUND)).startsWith("HTTP/1.1 200");
	}

	@Test
	void startAcceptingBeforeTheServerStartsAcceptsAtOnce() throws Exception {
		Socket listening = listening();
		InheritedSocket socket = inherited(listening).hold();
		socket.startAccepting();
		assertThat(socket.isHeld()).isFalse();
		start(socket);
		assertThat(response(connectAndAsk(listening), BOUND)).startsWith("HTTP/1.1 200").endsWith("served");
		assertThat(socket.isAccepting()).isTrue();
	}

	@Test
	void startAcceptingRacingTheServerStartAlwaysEndsAccepting() throws Exception {
		for (int round = 0; round < 8; round++) {
			Socket listening = listening();
			InheritedSocket socket = inherited(listening).hold();
			java.net.Socket queued = connectAndAsk(listening);
			CountDownLatch go = new CountDownLatch(1);
			long delay = TimeUnit.MICROSECONDS.toNanos(round * 750L);
			CompletableFuture<Void> taking = CompletableFuture.runAsync(() -> {
				try {
					go.await(BOUND.toMillis(), TimeUnit.MILLISECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				// From at once to a few milliseconds in: before, during and after the
				// channel's creation and registration.
				LockSupport.parkNanos(delay);
				socket.startAccepting();
			});
			go.countDown();
			start(socket);
			taking.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
			assertThat(response(queued, BOUND)).as("round " + round).startsWith("HTTP/1.1 200");
			await(socket::isAccepting);
		}
	}

	@Test
	void secondStartAcceptingDoesNothing() throws Exception {
		Socket listening = listening();
		InheritedSocket socket = inherited(listening).hold();
		start(socket);
		socket.startAccepting();
		socket.startAccepting();
		assertThat(response(connectAndAsk(listening), BOUND)).startsWith("HTTP/1.1 200");
		await(socket::isAccepting);
	}

	@Test
	void pauseAcceptingOfAHeldSpareCompletesAndAcceptsNothing() throws Exception {
		Socket listening = listening();
		InheritedSocket socket = inherited(listening).hold();
		start(socket);
		socket.pauseAccepting().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
		assertThat(socket.isAccepting()).isFalse();
		java.net.Socket client = connectAndAsk(listening);
		assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(() -> response(client, HELD));
	}

	@Test
	void pauseAcceptingBeforeTheServerStartsCompletes() throws Exception {
		InheritedSocket socket = inherited(listening()).hold();
		socket.pauseAccepting().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
		assertThat(socket.isAccepting()).isFalse();
	}

	@Test
	void resumeDecidedOnTheLoopIsNotUndoneByAnEarlierStopQueuedFromAnotherThread() throws Exception {
		Socket listening = listening();
		InheritedSocket socket = inherited(listening);
		start(socket);
		// The balancer's ticker decides "stop" while the loop is busy, so the stop waits
		// in
		// the loop's queue; the loop, in a task ahead of it (an accept), then decides
		// "resume", which applies at once. The resume is the later word.
		queuedThenDecidedOnTheLoop(socket, false, true);
		assertThat(socket.isAccepting()).as("accepting after the balancer's last word, resume").isTrue();
		assertThat(response(connectAndAsk(listening), BOUND)).startsWith("HTTP/1.1 200").endsWith("served");
	}

	@Test
	void stopDecidedLastHoldsEvenIfAnEarlierResumeRunsAfterIt() throws Exception {
		Socket listening = listening();
		InheritedSocket socket = inherited(listening);
		start(socket);
		await(() -> socket.acceptLoop() != null);
		socket.balanceAccepting(false);
		await(() -> !socket.isAccepting());
		queuedThenDecidedOnTheLoop(socket, true, false);
		assertThat(socket.isAccepting()).as("stopped after the balancer's last word, stop").isFalse();
		java.net.Socket client = connectAndAsk(listening);
		assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(() -> response(client, HELD));
		socket.balanceAccepting(true);
		assertThat(response(client, BOUND)).startsWith("HTTP/1.1 200").endsWith("served");
	}

	/**
	 * Queue one word from this thread behind a task that holds the accepting loop, then
	 * have that task, ahead of it, decide the other word on the loop; return once the
	 * loop has run both.
	 * @param socket the socket
	 * @param queued the word queued from this thread (the earlier one)
	 * @param onLoop the word decided on the loop (the later one)
	 */
	private static void queuedThenDecidedOnTheLoop(InheritedSocket socket, boolean queued, boolean onLoop)
			throws Exception {
		await(() -> socket.acceptLoop() != null);
		EventExecutor loop = socket.acceptLoop();
		CountDownLatch wordQueued = new CountDownLatch(1);
		CompletableFuture<Void> decidedOnLoop = new CompletableFuture<>();
		loop.execute(() -> {
			try {
				wordQueued.await(BOUND.toMillis(), TimeUnit.MILLISECONDS);
				socket.balanceAccepting(onLoop);
				decidedOnLoop.complete(null);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				decidedOnLoop.completeExceptionally(ex);
			}
		});
		socket.balanceAccepting(queued);
		wordQueued.countDown();
		decidedOnLoop.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
		CompletableFuture<Void> drained = new CompletableFuture<>();
		loop.execute(() -> drained.complete(null));
		drained.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
	}

	@Test
	void holdOnceServingIsRefused() throws Exception {
		InheritedSocket socket = inherited(listening());
		start(socket);
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(socket::hold);
	}

}
