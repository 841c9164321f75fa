package io.jproc.worker;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.jproc.JprocProperties;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WorkerWarmup}: the application's handler is served on a real loopback
 * port and gets exactly the warm-up requests, marked with this JVM's token, which
 * {@link RequestTracker} does not count.
 */
class WorkerWarmupTests {

	private static JprocProperties.Warmup config(int requests, String... paths) {
		JprocProperties.Warmup config = new JprocProperties.Warmup();
		config.setRequests(requests);
		config.setPaths(List.of(paths));
		return config;
	}

	@Test
	void sendsTheRequestsThroughTheHandlerOnALoopbackPort() {
		AtomicInteger hello = new AtomicInteger();
		AtomicInteger other = new AtomicInteger();
		AtomicInteger marked = new AtomicInteger();
		HttpHandler handler = (request, response) -> {
			if (WorkerWarmup.isWarmup(request.getHeaders().getFirst(WorkerWarmup.HEADER))) {
				marked.incrementAndGet();
			}
			(request.getPath().value().equals("/hello") ? hello : other).incrementAndGet();
			return response.writeWith(Mono.just(response.bufferFactory().wrap("hi".getBytes(StandardCharsets.UTF_8))));
		};
		WorkerWarmup.Result result = new WorkerWarmup(config(30, "/hello", "/other")).run(handler, () -> false);
		assertThat(result.answered()).isEqualTo(60);
		assertThat(result.failed()).isZero();
		assertThat(hello).hasValue(30);
		assertThat(other).hasValue(30);
		assertThat(marked).hasValue(60);
	}

	@Test
	void stopsEarlyWhenAsked() {
		AtomicInteger served = new AtomicInteger();
		HttpHandler handler = (request, response) -> {
			served.incrementAndGet();
			return response.setComplete();
		};
		WorkerWarmup.Result result = new WorkerWarmup(config(10_000, "/")).run(handler, () -> served.get() >= 5);
		assertThat(result.answered()).isLessThan(100);
	}

	@Test
	void offUnlessRequestsAreSet() {
		assertThat(new WorkerWarmup(new JprocProperties.Warmup()).isEnabled()).isFalse();
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

}
