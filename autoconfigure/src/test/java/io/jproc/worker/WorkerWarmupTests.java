package io.jproc.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jproc.JprocProperties;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WorkerWarmup}: a loopback server (the JDK's, standing in for a web
 * server's {@link WorkerServer.Loopback}) gets exactly the warm-up requests, marked with
 * this JVM's token, which {@link RequestTracker} does not count.
 */
class WorkerWarmupTests {

	private static JprocProperties.Warmup config(int requests, String... paths) {
		JprocProperties.Warmup config = new JprocProperties.Warmup();
		config.setRequests(requests);
		config.setPaths(List.of(paths));
		return config;
	}

	@Test
	void sendsTheRequestsToTheLoopbackServerAndClosesIt() {
		AtomicInteger hello = new AtomicInteger();
		AtomicInteger other = new AtomicInteger();
		AtomicInteger marked = new AtomicInteger();
		JdkLoopback loopback = new JdkLoopback((exchange) -> {
			if (WorkerWarmup.isWarmup(exchange.getRequestHeaders().getFirst(WorkerWarmup.HEADER))) {
				marked.incrementAndGet();
			}
			(exchange.getRequestURI().getPath().equals("/hello") ? hello : other).incrementAndGet();
		});
		WorkerWarmup.Result result = new WorkerWarmup(config(30, "/hello", "/other")).run(loopback, () -> false);
		assertThat(result.answered()).isEqualTo(60);
		assertThat(result.failed()).isZero();
		assertThat(hello).hasValue(30);
		assertThat(other).hasValue(30);
		assertThat(marked).hasValue(60);
		assertThat(loopback.closed).as("the loopback server is closed after the warm-up").isTrue();
	}

	@Test
	void stopsEarlyWhenAsked() {
		AtomicInteger served = new AtomicInteger();
		JdkLoopback loopback = new JdkLoopback((exchange) -> served.incrementAndGet());
		WorkerWarmup.Result result = new WorkerWarmup(config(10_000, "/")).run(loopback, () -> served.get() >= 5);
		assertThat(result.answered()).isLessThan(100);
		assertThat(loopback.closed).isTrue();
	}

	@Test
	void onByDefaultAndOffWithZeroRequests() {
		assertThat(new WorkerWarmup(new JprocProperties.Warmup()).isEnabled()).isTrue();
		assertThat(new WorkerWarmup(config(0, "/")).isEnabled()).isFalse();
		assertThat(new WorkerWarmup(config(1, "/")).isEnabled()).isTrue();
	}

	@Test
	void trackerDoesNotCountWarmupRequests() {
		AtomicInteger counted = new AtomicInteger();
		RequestTracker tracker = new RequestTracker(new FatalErrorGuard(() -> "worker 1", (reason) -> {
		}), (served) -> counted.set((int) served));
		MockServerWebExchange warmup = MockServerWebExchange
			.from(MockServerHttpRequest.get("/").header(WorkerWarmup.HEADER, WorkerWarmup.TOKEN));
		tracker.filter(warmup, (exchange) -> Mono.empty()).block();
		MockServerWebExchange forged = MockServerWebExchange
			.from(MockServerHttpRequest.get("/").header(WorkerWarmup.HEADER, "guess"));
		tracker.filter(forged, (exchange) -> Mono.empty()).block();
		assertThat(tracker.served()).as("only the request without this JVM's token").isEqualTo(1);
		assertThat(counted).hasValue(1);
	}

	/** A loopback server on the JDK's HTTP server, answering {@code hi} to everything. */
	private static final class JdkLoopback implements WorkerServer.Loopback {

		private final Consumer<HttpExchange> handler;

		private volatile boolean closed;

		JdkLoopback(Consumer<HttpExchange> handler) {
			this.handler = handler;
		}

		@Override
		public WorkerServer.Bound bind() {
			HttpServer server;
			try {
				server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			server.createContext("/", (exchange) -> {
				this.handler.accept(exchange);
				byte[] body = "hi".getBytes(StandardCharsets.UTF_8);
				exchange.sendResponseHeaders(200, body.length);
				exchange.getResponseBody().write(body);
				exchange.close();
			});
			server.start();
			return WorkerServer.Bound.of(server.getAddress().getPort(), () -> {
				server.stop(0);
				this.closed = true;
			});
		}

	}

}
