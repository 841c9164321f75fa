package io.jproc.worker.netty;

import io.jproc.worker.JprocWorker;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Once this worker is leaving, every response it sends carries {@code Connection: close}.
 * A keep-alive client then opens its next connection on the shared socket, where another
 * worker accepts it, instead of sending a request on a connection that the drain is about
 * to close (the request that would be lost in that race).
 */
final class CloseConnectionsWhenLeaving implements WebFilter, Ordered {

	private final JprocWorker worker;

	CloseConnectionsWhenLeaving(JprocWorker worker) {
		this.worker = worker;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		exchange.getResponse().beforeCommit(() -> {
			if (this.worker.isLeaving()) {
				exchange.getResponse().getHeaders().set(HttpHeaders.CONNECTION, "close");
			}
			return Mono.empty();
		});
		return chain.filter(exchange);
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

}
