package io.jproc.worker.webflux;

import java.util.List;

import io.jproc.worker.LongLivedConnections;
import reactor.core.publisher.Mono;

import org.springframework.web.reactive.HandlerResult;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.reactive.socket.server.support.WebSocketHandlerAdapter;
import org.springframework.web.server.ServerWebExchange;

/**
 * Spring's {@link WebSocketHandlerAdapter} with every session registered as a long-lived
 * connection: once the session is open the upgrade request leaves the in-flight count,
 * and when the worker leaves the session is closed with 1001 "going away", which a client
 * reads as "reconnect elsewhere".
 */
final class GoingAwayWebSocketHandlerAdapter extends WebSocketHandlerAdapter {

	static final String KIND = "websocket";

	static final CloseStatus GOING_AWAY = CloseStatus.GOING_AWAY.withReason("server worker leaving");

	private final LongLivedConnections longLived;

	GoingAwayWebSocketHandlerAdapter(WebSocketService service, int order, LongLivedConnections longLived) {
		super(service);
		setOrder(order);
		this.longLived = longLived;
	}

	@Override
	public Mono<HandlerResult> handle(ServerWebExchange exchange, Object handler) {
		return super.handle(exchange, new Registered((WebSocketHandler) handler, exchange));
	}

	private final class Registered implements WebSocketHandler {

		private final WebSocketHandler delegate;

		private final ServerWebExchange exchange;

		Registered(WebSocketHandler delegate, ServerWebExchange exchange) {
			this.delegate = delegate;
			this.exchange = exchange;
		}

		@Override
		public List<String> getSubProtocols() {
			return this.delegate.getSubProtocols();
		}

		@Override
		public Mono<Void> handle(WebSocketSession session) {
			return Mono.using(() -> open(session), (registration) -> this.delegate.handle(session),
					LongLivedConnections.Registration::close);
		}

		private LongLivedConnections.Registration open(WebSocketSession session) {
			Runnable leavesInFlight = this.exchange.getAttribute(LongLivedConnections.LEAVES_IN_FLIGHT);
			if (leavesInFlight != null) {
				leavesInFlight.run();
			}
			return GoingAwayWebSocketHandlerAdapter.this.longLived.open(KIND,
					() -> session.close(GOING_AWAY).subscribe(null, (error) -> {
					}));
		}

	}

}
