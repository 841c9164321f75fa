package io.jproc.worker.webflux;

import io.jproc.worker.LongLivedConnections;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Every {@code text/event-stream} response is a long-lived connection: it leaves the
 * in-flight count when its body starts, and when the worker leaves its body ends after
 * the last whole event, so the response completes as a stream that ended normally (the
 * final chunk), and an {@code EventSource} reconnects, to another worker.
 */
final class EventStreamsEndWhenLeaving implements WebFilter, Ordered {

	static final String KIND = "event-stream";

	private final LongLivedConnections longLived;

	EventStreamsEndWhenLeaving(LongLivedConnections longLived) {
		this.longLived = longLived;
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE + 10;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		return chain.filter(exchange.mutate().response(new EventStreamResponse(exchange)).build());
	}

	private final class EventStreamResponse extends ServerHttpResponseDecorator {

		private final ServerWebExchange exchange;

		EventStreamResponse(ServerWebExchange exchange) {
			super(exchange.getResponse());
			this.exchange = exchange;
		}

		@Override
		public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
			if (!isEventStream()) {
				return super.writeWith(body);
			}
			Sinks.One<Boolean> leaving = Sinks.one();
			return Mono.using(() -> open(leaving),
					(registration) -> super.writeWith(Flux.from(body).takeUntilOther(leaving.asMono())),
					LongLivedConnections.Registration::close);
		}

		@Override
		public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
			if (!isEventStream()) {
				return super.writeAndFlushWith(body);
			}
			Sinks.One<Boolean> leaving = Sinks.one();
			return Mono.using(() -> open(leaving),
					(registration) -> super.writeAndFlushWith(Flux.from(body).takeUntilOther(leaving.asMono())),
					LongLivedConnections.Registration::close);
		}

		private boolean isEventStream() {
			MediaType type = getHeaders().getContentType();
			return type != null && MediaType.TEXT_EVENT_STREAM.isCompatibleWith(type);
		}

		private LongLivedConnections.Registration open(Sinks.One<Boolean> leaving) {
			Runnable leavesInFlight = this.exchange.getAttribute(LongLivedConnections.LEAVES_IN_FLIGHT);
			if (leavesInFlight != null) {
				leavesInFlight.run();
			}
			return EventStreamsEndWhenLeaving.this.longLived.open(KIND, () -> leaving.tryEmitValue(true));
		}

	}

}
