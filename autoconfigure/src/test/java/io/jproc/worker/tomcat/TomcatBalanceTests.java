package io.jproc.worker.tomcat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import io.jproc.testsupport.CloseAfterEach;
import io.jproc.worker.RawHttp;
import io.jproc.worker.RecordingCounter;
import io.jproc.worker.servlet.ServedBy;
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
		RecordingCounter counted = new RecordingCounter(worker);
		worker.countConnections(counted);
		// The balancer stops accepting from opened(), on the accepting thread.
		counted.stopOnOpen(true);
		assertThat(get(listening, BOUND)).endsWith("served by a");
		counted.awaitClosed(1, BOUND);
		assertThat(counted.openedCount()).isEqualTo(1);
		Socket queued = ask(listening);
		assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(() -> RawHttp.response(queued, HELD));
		assertThat(counted.openedCount()).as("accepted while balanced off").isEqualTo(1);
		// Nothing lost: the sibling finds it in the kernel's queue.
		sibling.startAccepting();
		assertThat(RawHttp.response(queued, BOUND)).startsWith("HTTP/1.1 200").endsWith("served by b");
		sibling.pauseAccepting();
		// The balance neither ends a pause nor a hold.
		sibling.balanceAccepting(false);
		sibling.balanceAccepting(true);
		counted.stopOnOpen(false);
		worker.balanceAccepting(true);
		for (int i = 0; i < 5; i++) {
			assertThat(get(listening, BOUND)).endsWith("served by a");
		}
		counted.awaitClosed(6, BOUND);
		assertThat(counted.openedCount()).isEqualTo(6);
	}

	@Test
	void keptAliveConnectionsCountUntilTheyClose() throws Exception {
		ServerSocketChannel listening = listening();
		InheritedAcceptor worker = start("a", listening, false);
		RecordingCounter counted = new RecordingCounter(worker);
		worker.countConnections(counted);
		Socket first = ask(listening, "keep-alive");
		Socket second = ask(listening, "keep-alive");
		counted.awaitOpened(2, BOUND);
		assertThat(counted.closedCount()).isZero();
		first.close();
		counted.awaitClosed(1, BOUND);
		second.close();
		counted.awaitClosed(2, BOUND);
		assertThat(counted.openedCount()).isEqualTo(2);
	}

	@Test
	void balanceDoesNotEndAHold() throws Exception {
		ServerSocketChannel listening = listening();
		InheritedAcceptor spare = start("spare", listening, true);
		spare.balanceAccepting(false);
		spare.balanceAccepting(true);
		Socket queued = ask(listening);
		assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(() -> RawHttp.response(queued, HELD));
		spare.startAccepting();
		assertThat(RawHttp.response(queued, BOUND)).endsWith("served by spare");
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
			.getWebServer((context) -> context.addServlet("answer", new ServedBy(name)).addMapping("/*"));
		this.toClose.add(server::destroy);
		this.toClose.add(server::stop);
		server.start();
		return acceptor;
	}

	private Socket ask(ServerSocketChannel listening) throws IOException {
		return ask(listening, "close");
	}

	private Socket ask(ServerSocketChannel listening, String connection) throws IOException {
		return this.toClose.add(RawHttp.ask(listening.getLocalAddress(), connection, BOUND));
	}

	private static String get(ServerSocketChannel listening, Duration timeout) throws IOException {
		return RawHttp.get(listening.getLocalAddress(), timeout);
	}

}
