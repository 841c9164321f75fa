package io.jproc.worker.tomcat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.jproc.testsupport.CloseAfterEach;
import io.jproc.worker.WorkerServer;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Real Tomcat servers, made by Boot's {@link TomcatServletWebServerFactory} with
 * {@link InheritedSocketCustomizer}, sharing one real listening socket: the balance's
 * counting sees each connection open and close, and with accepting balanced off a server
 * takes nothing more while a sibling on the same socket serves what queued; balanced on,
 * it accepts again, and the balance never ends a hold or a pause.
 */
class TomcatBalanceTests {

	private static final Duration HELD = Duration.ofMillis(500);

	private static final Duration BOUND = Duration.ofSeconds(15);

	private static final POSIX posix = POSIXFactory.getNativePOSIX();

	@RegisterExtension
	final CloseAfterEach toClose = new CloseAfterEach();

	@Test
	void balanceOffLeavesConnectionsQueuedForTheSiblingAndBalanceOnResumes() throws Exception {
		ServerSocketChannel listening = listening();
		InheritedAcceptor worker = start("a", listening, false);
		InheritedAcceptor sibling = start("b", listening, true);
		Counted counted = new Counted(worker);
		worker.countConnections(counted);
		// The balancer stops accepting from opened(), on the accepting thread.
		counted.stopOnOpen.set(true);
		assertThat(get(listening, BOUND)).endsWith("served by a");
		awaitCount(counted.closed, 1);
		assertThat(counted.opened.get()).isEqualTo(1);
		Socket queued = ask(listening);
		assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(() -> response(queued, HELD));
		assertThat(counted.opened.get()).as("accepted while balanced off").isEqualTo(1);
		// Nothing lost: the sibling finds it in the kernel's queue.
		sibling.startAccepting();
		assertThat(response(queued, BOUND)).startsWith("HTTP/1.1 200").endsWith("served by b");
		sibling.pause();
		// The balance neither ends a pause nor a hold.
		sibling.balance(false);
		sibling.balance(true);
		counted.stopOnOpen.set(false);
		worker.balance(true);
		for (int i = 0; i < 5; i++) {
			assertThat(get(listening, BOUND)).endsWith("served by a");
		}
		awaitCount(counted.closed, 6);
		assertThat(counted.opened.get()).isEqualTo(6);
	}

	@Test
	void keptAliveConnectionsCountUntilTheyClose() throws Exception {
		ServerSocketChannel listening = listening();
		InheritedAcceptor worker = start("a", listening, false);
		Counted counted = new Counted(worker);
		worker.countConnections(counted);
		Socket first = ask(listening, "keep-alive");
		Socket second = ask(listening, "keep-alive");
		awaitCount(counted.opened, 2);
		assertThat(counted.closed.get()).isZero();
		first.close();
		awaitCount(counted.closed, 1);
		second.close();
		awaitCount(counted.closed, 2);
		assertThat(counted.opened.get()).isEqualTo(2);
	}

	@Test
	void balanceDoesNotEndAHold() throws Exception {
		ServerSocketChannel listening = listening();
		InheritedAcceptor spare = start("spare", listening, true);
		spare.balance(false);
		spare.balance(true);
		Socket queued = ask(listening);
		assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(() -> response(queued, HELD));
		spare.startAccepting();
		assertThat(response(queued, BOUND)).endsWith("served by spare");
	}

	private ServerSocketChannel listening() throws Exception {
		ServerSocketChannel channel = ServerSocketChannel.open();
		this.toClose.add(channel);
		channel.bind(new InetSocketAddress("127.0.0.1", 0), 128);
		return channel;
	}

	private InheritedAcceptor start(String name, ServerSocketChannel listening, boolean held) throws Exception {
		int inherited = posix.dup(InheritedAcceptorTests.fdOf(listening));
		AtomicBoolean closed = new AtomicBoolean();
		this.toClose.add(() -> {
			if (closed.compareAndSet(false, true)) {
				posix.close(inherited);
			}
		});
		InheritedAcceptor acceptor = new InheritedAcceptor("server", inherited);
		if (held) {
			acceptor.hold();
		}
		TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory(0);
		new InheritedSocketCustomizer(acceptor).customize(factory);
		WebServer server = factory
			.getWebServer((context) -> context.addServlet("answer", new Answer(name)).addMapping("/*"));
		this.toClose.add(server::destroy);
		this.toClose.add(server::stop);
		server.start();
		return acceptor;
	}

	private static void awaitCount(AtomicInteger count, int target) throws InterruptedException {
		long deadline = System.nanoTime() + BOUND.toNanos();
		while (count.get() < target) {
			assertThat(System.nanoTime()).as("count " + count.get() + " reaching " + target + " within " + BOUND)
				.isLessThan(deadline);
			Thread.sleep(5);
		}
	}

	private Socket ask(ServerSocketChannel listening) throws IOException {
		return ask(listening, "close");
	}

	private Socket ask(ServerSocketChannel listening, String connection) throws IOException {
		Socket client = new Socket();
		this.toClose.add(client);
		client.connect(listening.getLocalAddress(), (int) BOUND.toMillis());
		client.getOutputStream()
			.write(("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: " + connection + "\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
		client.getOutputStream().flush();
		return client;
	}

	private String get(ServerSocketChannel listening, Duration timeout) throws IOException {
		try (Socket client = ask(listening)) {
			return response(client, timeout);
		}
	}

	private static String response(Socket client, Duration timeout) throws IOException {
		client.setSoTimeout((int) timeout.toMillis());
		InputStream in = client.getInputStream();
		ByteArrayOutputStream read = new ByteArrayOutputStream();
		byte[] buffer = new byte[1024];
		int count;
		while ((count = in.read(buffer)) >= 0) {
			read.write(buffer, 0, count);
		}
		return read.toString(StandardCharsets.US_ASCII);
	}

	private static final class Counted implements WorkerServer.ConnectionCounter {

		private final InheritedAcceptor acceptor;

		private final AtomicInteger opened = new AtomicInteger();

		private final AtomicInteger closed = new AtomicInteger();

		private final AtomicBoolean stopOnOpen = new AtomicBoolean();

		Counted(InheritedAcceptor acceptor) {
			this.acceptor = acceptor;
		}

		@Override
		public void opened() {
			this.opened.incrementAndGet();
			if (this.stopOnOpen.get()) {
				this.acceptor.balance(false);
			}
		}

		@Override
		public void closed() {
			this.closed.incrementAndGet();
		}

	}

	private static final class Answer extends HttpServlet {

		private final String name;

		Answer(String name) {
			this.name = name;
		}

		@Override
		protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
			response.setContentType("text/plain");
			response.getWriter().print("served by " + this.name);
		}

	}

}
