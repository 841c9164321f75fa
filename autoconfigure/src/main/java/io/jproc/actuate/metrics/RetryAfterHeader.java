package io.jproc.actuate.metrics;

import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Lets a refused Prometheus scrape carry a {@code Retry-After} header, which an actuator
 * operation cannot set itself: for requests whose path ends in {@code /prometheus}, this
 * filter puts the response's headers in the Reactor context, where the operation finds
 * them. Other requests pass untouched.
 */
final class RetryAfterHeader implements WebFilter {

	private static final String KEY = RetryAfterHeader.class.getName();

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (!exchange.getRequest().getPath().value().endsWith("/prometheus")) {
			return chain.filter(exchange);
		}
		HttpHeaders headers = exchange.getResponse().getHeaders();
		return chain.filter(exchange).contextWrite((context) -> context.put(KEY, headers));
	}

	/**
	 * Set {@code Retry-After} on the response being served, if this filter runs.
	 * @param context the operation's Reactor context
	 * @param seconds the delay
	 */
	static void set(ContextView context, int seconds) {
		context.<HttpHeaders>getOrEmpty(KEY)
			.ifPresent((headers) -> headers.set(HttpHeaders.RETRY_AFTER, Integer.toString(seconds)));
	}

}
