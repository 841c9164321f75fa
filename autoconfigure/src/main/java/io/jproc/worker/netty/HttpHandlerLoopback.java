package io.jproc.worker.netty;

import java.time.Duration;

import io.jproc.worker.WorkerServer;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;

/**
 * The application's {@link HttpHandler} (every filter, controller and codec) served by a
 * Reactor Netty server of its own on an ephemeral loopback port, with one event loop of
 * its own: what the worker's warm-up sends its requests to.
 */
final class HttpHandlerLoopback implements WorkerServer.Loopback {

	private final HttpHandler handler;

	HttpHandlerLoopback(HttpHandler handler) {
		this.handler = handler;
	}

	@Override
	public WorkerServer.Bound bind() {
		LoopResources loops = LoopResources.create("jproc-warmup", 1, true);
		DisposableServer server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.runOn(loops)
			.handle(new ReactorHttpHandlerAdapter(this.handler))
			.bindNow(Duration.ofSeconds(10));
		return WorkerServer.Bound.of(server.port(), () -> {
			server.disposeNow(Duration.ofSeconds(5));
			loops.disposeLater(Duration.ZERO, Duration.ofSeconds(2)).block(Duration.ofSeconds(5));
		});
	}

}
