package io.jproc.worker;

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

	private final MasterLink link;

	CloseConnectionsWhenLeaving(MasterLink link) {
		this.link = link;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		exchange.getResponse().beforeCommit(() -> {
			if (this.link.isLeaving()) {
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
