package io.jproc.worker.jetty;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.jproc.testsupport.CloseAfterEach;
import io.jproc.worker.RawHttp;
import io.jproc.worker.RecordingCounter;
import io.jproc.worker.servlet.ServedBy;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.util.VirtualThreads;
import org.eclipse.jetty.util.thread.VirtualThreadPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.web.server.GracefulShutdownResult;
import org.springframework.boot.web.server.Shutdown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real Jetty servers, made by Boot's {@link JettyServletWebServerFactory} with
 * {@link InheritedConnectorCustomizer}, on a real listening socket that the test binds
 * and hands over by descriptor, as a master does: they serve it without binding, a held
 * one accepts nothing, a paused one accepts nothing more while a sibling on the same
 * socket takes every connection (none refused, none lost), and a stopped one leaves no
 * copy of the socket behind.
 */
class JettyWorkerServerTests {

	private static final Duration HELD = Duration.ofMillis(500);

	private static final Duration BOUND = Duration.ofSeconds(15);

	private static final POSIX posix = POSIXFactory.getNativePOSIX();

	@RegisterExtension
	final CloseAfterEach toClose = new CloseAfterEach();

	/**
	 * A listening socket, as the master binds it (non-blocking), and a duplicate of its
	 * descriptor standing for the one a worker inherits.
	 */
	private Listening listening() throws Exception {
		ServerSocketChannel channel = ServerSocketChannel.open();
		this.toClose.add(channel);
		channel.bind(new InetSocketAddress("127.0.0.1", 0), 128);
		channel.configureBlocking(false);
		int inherited = posix.dup(fdOf(channel));
		assertThat(inherited).isGreaterThan(2);
		AtomicBoolean closed = new AtomicBoolean();
		Listening listening = new Listening(channel, inherited, closed);
		this.toClose.add(() -> {
			if (closed.compareAndSet(false, true)) {
				posix.close(inherited);
			}
		});
		return listening;
	}

	private Worker start(String name, Listening listening, boolean held) {
		return start(name, new InheritedSocket("server", listening.fd(), held));
	}

	private Worker start(String name, InheritedSocket socket) {
		return start(name, socket, null);
	}

	private Worker start(String name, InheritedSocket socket, org.eclipse.jetty.util.thread.ThreadPool threads) {
		JettyServletWebServerFactory factory = new JettyServletWebServerFactory(0);
		if (threads != null) {
			factory.setThreadPool(threads);
		}
		factory.setAddress(java.net.InetAddress.getLoopbackAddress());
		factory.setShutdown(Shutdown.GRACEFUL);
		new InheritedConnectorCustomizer(socket).customize(factory);
		AtomicInteger accepted = new AtomicInteger();
		factory.addServerCustomizers((server) -> {
			for (Connector connector : server.getConnectors()) {
				assertThat(connector).isInstanceOf(InheritedConnector.class);
				connector.addBean(new CountAccepted(accepted));
			}
		});
		JettyWebServer server = (JettyWebServer) factory
			.getWebServer((context) -> context.addServlet("answer", new ServedBy(name)).addMapping("/*"));
		this.toClose.add(server::destroy);
		server.start();
		return new Worker(server, socket, accepted);
	}

	@Test
	void servesTheInheritedSocketWithoutBinding() throws Exception {
		Listening listening = listening();
		Worker worker = start("a", listening, false);
		assertThat(worker.server().getPort()).isEqualTo(listening.port());
		assertThat(get(listening, BOUND)).startsWith("HTTP/1.1 200").endsWith("served by a");
		assertThat(worker.socket().isHeld()).isFalse();
		assertThat(worker.socket().isAccepting()).isTrue();
	}

	@Test
	void servesOnVirtualThreadsAsBootConfiguresThem() throws Exception {
		assumeTrue(VirtualThreads.areSupported(), "needs virtual threads (JDK 21+)");
		Listening listening = listening();
		InheritedSocket socket = new InheritedSocket("server", listening.fd(), true);
		Worker worker = start("virtual", socket, new VirtualThreadPool());
		Socket queued = ask(listening);
		assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(() -> RawHttp.response(queued, HELD));
		socket.startAccepting();
		assertThat(RawHttp.response(queued, BOUND)).startsWith("HTTP/1.1 200").endsWith("served by virtual");
		socket.pauseAccepting().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
		int accepted = worker.accepted().get();
		Socket afterPause = ask(listening);
		assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(() -> RawHttp.response(afterPause, HELD));
		assertThat(worker.accepted().get()).isEqualTo(accepted);
	}

	@Test
	void heldServerLeavesConnectionsQueuedUntilStartAccepting() throws Exception {
		Listening listening = listening();
		Worker worker = start("spare", listening, true);
		assertThat(worker.socket().isHeld()).isTrue();
		Socket queued = ask(listening);
		assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(() -> RawHttp.response(queued, HELD));
		assertThat(worker.accepted().get()).isZero();
		worker.socket().startAccepting();
		assertThat(RawHttp.response(queued, BOUND)).startsWith("HTTP/1.1 200").endsWith("served by spare");
		assertThat(worker.socket().isAccepting()).isTrue();
		assertThat(get(listening, BOUND)).endsWith("served by spare");
	}

	@Test
	void heldServerLeavesEveryConnectionToItsSibling() throws Exception {
		Listening listening = listening();
		Worker spare = start("spare", listening, true);
		start("serving", listening, false);
		for (int i = 0; i < 20; i++) {
			assertThat(get(listening, BOUND)).endsWith("served by serving");
		}
		assertThat(spare.accepted().get()).isZero();
	}

	@Test
	void startAcceptingBeforeTheServerStartsAcceptsOnceStarted() throws Exception {
		Listening listening = listening();
		InheritedSocket socket = new InheritedSocket("server", listening.fd(), true);
		socket.startAccepting();
		start("a", socket);
		assertThat(get(listening, BOUND)).endsWith("served by a");
	}

	@Test
	void pauseUnderConcurrentClientsLosesAndRefusesNothing() throws Exception {
		Listening listening = listening();
		Worker leaving = start("leaving", listening, false);
		Worker staying = start("staying", listening, false);
		ExecutorService clients = Executors.newFixedThreadPool(8);
		try {
			AtomicBoolean stop = new AtomicBoolean();
			ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
			AtomicInteger ok = new AtomicInteger();
			List<Future<?>> running = new ArrayList<>();
			for (int i = 0; i < 8; i++) {
				running.add(clients.submit(() -> {
					while (!stop.get()) {
						try {
							String response = get(listening, BOUND);
							if (response.startsWith("HTTP/1.1 200")) {
								ok.incrementAndGet();
							}
							else {
								failures.add(response);
							}
						}
						catch (IOException ex) {
							failures.add(ex.toString());
						}
					}
				}));
			}
			RecordingCounter.awaitCount(ok, 200, BOUND);
			assertThat(leaving.accepted().get()).as("both siblings took connections").isPositive();
			leaving.socket().pauseAccepting().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
			int acceptedWhenPaused = leaving.accepted().get();
			int okWhenPaused = ok.get();
			assertThat(leaving.socket().isAccepting()).isFalse();
			RecordingCounter.awaitCount(ok, okWhenPaused + 300, BOUND);
			assertThat(leaving.accepted().get()).as("accepted after the pause returned").isEqualTo(acceptedWhenPaused);
			// The leaving worker's graceful shutdown: the sibling goes on alone.
			CompletedShutdown done = new CompletedShutdown();
			leaving.server().shutDownGracefully(done::complete);
			assertThat(done.await(BOUND)).isEqualTo(GracefulShutdownResult.IDLE);
			leaving.server().stop();
			int okWhenStopped = ok.get();
			RecordingCounter.awaitCount(ok, okWhenStopped + 200, BOUND);
			stop.set(true);
			for (Future<?> client : running) {
				client.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
			}
			assertThat(failures).as("failed requests").isEmpty();
			assertThat(staying.accepted().get()).isPositive();
		}
		finally {
			clients.shutdownNow();
		}
	}

	@Test
	void gracefulShutdownStopsAcceptingWithoutClosingTheSharedSocket() throws Exception {
		Listening listening = listening();
		Worker leaving = start("leaving", listening, false);
		CompletedShutdown done = new CompletedShutdown();
		leaving.server().shutDownGracefully(done::complete);
		assertThat(done.await(BOUND)).isEqualTo(GracefulShutdownResult.IDLE);
		int accepted = leaving.accepted().get();
		// Queued, not refused: the socket still listens for the other workers.
		Socket queued = ask(listening);
		assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(() -> RawHttp.response(queued, HELD));
		assertThat(leaving.accepted().get()).isEqualTo(accepted);
		start("sibling", listening, false);
		assertThat(RawHttp.response(queued, BOUND)).endsWith("served by sibling");
	}

	@Test
	void closeInheritedClosesTheDescriptorAndAStoppedServerKeepsNoCopy() throws Exception {
		Listening listening = listening();
		Worker worker = start("a", listening, false);
		worker.socket().closeInherited();
		listening.closed().set(true);
		assertThat(posix.fcntl(listening.fd(), jnr.constants.platform.Fcntl.F_GETFD)).isEqualTo(-1);
		// Its own duplicate still serves until it stops.
		assertThat(get(listening, BOUND)).endsWith("served by a");
		worker.socket().pauseAccepting().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
		worker.server().stop();
		int port = listening.port();
		listening.channel().close();
		// No copy left anywhere: refused at once, not queued.
		assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> {
			try (Socket client = new Socket()) {
				client.connect(new InetSocketAddress("127.0.0.1", port), (int) BOUND.toMillis());
			}
		});
	}

	@Test
	void socketShutDownByTheMasterEndsAcceptingInsteadOfFailingInALoop() throws Exception {
		Listening listening = listening();
		Worker worker = start("a", listening, false);
		assertThat(get(listening, BOUND)).endsWith("served by a");
		// What the master does at the start of a pool shutdown: accept(2) fails with
		// EINVAL in every process from now on, and epoll reports the socket ready.
		io.netty.channel.epoll.Epoll.ensureAvailability();
		new io.netty.channel.unix.Socket(fdOf(listening.channel())).shutdown(true, false);
		long deadline = System.nanoTime() + BOUND.toNanos();
		while (worker.socket().isAccepting()) {
			assertThat(System.nanoTime()).as("stopped accepting within " + BOUND).isLessThan(deadline);
			Thread.sleep(10);
		}
		assertThat(worker.server().getServer().isRunning()).isTrue();
	}

	@Test
	void aDescriptorThatIsNoSocketFailsTheStartNamingJetty() throws Exception {
		int notASocket = posix.open("/dev/null", jnr.constants.platform.OpenFlags.O_RDONLY.intValue(), 0);
		this.toClose.add(() -> posix.close(notASocket));
		InheritedSocket socket = new InheritedSocket("server", notASocket, false);
		assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> start("a", socket))
			.satisfies((ex) -> assertThat(causes(ex)).contains("jproc: Jetty cannot serve the server socket"));
	}

	private static String causes(Throwable ex) {
		StringBuilder all = new StringBuilder();
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			all.append(cause.getMessage()).append('\n');
		}
		return all.toString();
	}

	@Test
	void balanceOffLeavesConnectionsQueuedForTheSiblingAndBalanceOnResumes() throws Exception {
		Listening listening = listening();
		Worker worker = start("a", listening, false);
		Worker sibling = start("b", listening, true);
		RecordingCounter counted = new RecordingCounter(worker.socket());
		worker.socket().countConnections(counted);
		// The balancer stops accepting from opened(), on the accepting thread.
		counted.stopOnOpen(true);
		assertThat(get(listening, BOUND)).endsWith("served by a");
		counted.awaitClosed(1, BOUND);
		assertThat(counted.openedCount()).isEqualTo(1);
		int accepted = worker.accepted().get();
		Socket queued = ask(listening);
		assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(() -> RawHttp.response(queued, HELD));
		assertThat(worker.accepted().get()).as("accepted while balanced off").isEqualTo(accepted);
		// Nothing lost: the sibling finds it in the kernel's queue.
		sibling.socket().startAccepting();
		assertThat(RawHttp.response(queued, BOUND)).startsWith("HTTP/1.1 200").endsWith("served by b");
		sibling.socket().pauseAccepting().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
		// The balance neither ends a pause nor a hold.
		sibling.socket().balanceAccepting(false);
		sibling.socket().balanceAccepting(true);
		assertThat(sibling.socket().isAccepting()).isFalse();
		counted.stopOnOpen(false);
		worker.socket().balanceAccepting(true);
		for (int i = 0; i < 5; i++) {
			assertThat(get(listening, BOUND)).endsWith("served by a");
		}
		counted.awaitClosed(6, BOUND);
		assertThat(counted.openedCount()).isEqualTo(6);
	}

	@Test
	void balanceDoesNotEndAHold() throws Exception {
		Listening listening = listening();
		Worker spare = start("spare", listening, true);
		spare.socket().balanceAccepting(false);
		spare.socket().balanceAccepting(true);
		Socket queued = ask(listening);
		assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(() -> RawHttp.response(queued, HELD));
		assertThat(spare.accepted().get()).isZero();
		spare.socket().startAccepting();
		assertThat(RawHttp.response(queued, BOUND)).endsWith("served by spare");
	}

	private Socket ask(Listening listening) throws IOException {
		return this.toClose.add(RawHttp.ask(listening.address(), "close", BOUND));
	}

	private static String get(Listening listening, Duration timeout) throws IOException {
		return RawHttp.get(listening.address(), timeout);
	}

	static int fdOf(SelectableChannel channel) throws Exception {
		java.lang.reflect.Method getFdVal = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
		getFdVal.setAccessible(true);
		return (int) getFdVal.invoke(channel);
	}

	private record Listening(ServerSocketChannel channel, int fd, AtomicBoolean closed) {

		int port() throws IOException {
			return ((InetSocketAddress) this.channel.getLocalAddress()).getPort();
		}

		InetSocketAddress address() throws IOException {
			return new InetSocketAddress("127.0.0.1", port());
		}

	}

	private record Worker(JettyWebServer server, InheritedSocket socket, AtomicInteger accepted) {

	}

	private static final class CompletedShutdown {

		private final java.util.concurrent.CompletableFuture<GracefulShutdownResult> result = new java.util.concurrent.CompletableFuture<>();

		void complete(GracefulShutdownResult outcome) {
			this.result.complete(outcome);
		}

		GracefulShutdownResult await(Duration timeout) throws Exception {
			return this.result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}

	}

	private static final class CountAccepted implements SelectorManager.AcceptListener {

		private final AtomicInteger accepted;

		CountAccepted(AtomicInteger accepted) {
			this.accepted = accepted;
		}

		@Override
		public void onAccepting(SelectableChannel channel) {
			this.accepted.incrementAndGet();
		}

	}

}
