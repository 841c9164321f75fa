package io.jproc.worker.netty;

import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import io.jproc.worker.WorkerServer;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.http.server.reactive.HttpHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link HttpHandlerLoopback}: the application's {@link HttpHandler} served by
 * Reactor Netty on a real loopback port, closed with its loop.
 */
class HttpHandlerLoopbackTests {

	@Test
	void servesTheHandlerOnALoopbackPortUntilClosed() throws Exception {
		AtomicInteger hello = new AtomicInteger();
		HttpHandler handler = (request, response) -> {
			if (request.getPath().value().equals("/hello")) {
				hello.incrementAndGet();
			}
			return response.writeWith(Mono.just(response.bufferFactory().wrap("hi".getBytes(StandardCharsets.UTF_8))));
		};
		HttpClient client = HttpClient.newHttpClient();
		int port;
		try (WorkerServer.Bound bound = new HttpHandlerLoopback(handler).bind()) {
			port = bound.port();
			for (int i = 0; i < 3; i++) {
				HttpResponse<String> response = client.send(
						HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello")).build(),
						HttpResponse.BodyHandlers.ofString());
				assertThat(response.body()).isEqualTo("hi");
			}
		}
		assertThat(hello).hasValue(3);
		assertThatExceptionOfType(ConnectException.class).as("closed")
			.isThrownBy(() -> new Socket("127.0.0.1", port).close());
	}

}
