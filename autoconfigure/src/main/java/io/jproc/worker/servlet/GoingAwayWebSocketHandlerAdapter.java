package io.jproc.worker.servlet;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.jproc.worker.LongLivedConnections;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.web.servlet.HandlerAdapter;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.support.WebSocketHttpRequestHandler;

/**
 * The {@link HandlerAdapter} of Spring MVC's WebSocket endpoints
 * ({@code @EnableWebSocket} handlers, mapped to a {@link WebSocketHttpRequestHandler}),
 * ordered before Spring's {@code HttpRequestHandlerAdapter}: each endpoint is served by a
 * copy of its handler with the same handshake handler and interceptors, whose WebSocket
 * handler registers every session ({@link GoingAwayWebSocketSessions}). The copies are
 * made once per endpoint. SockJS endpoints are not covered.
 */
final class GoingAwayWebSocketHandlerAdapter implements HandlerAdapter, Ordered {

	private final LongLivedConnections longLived;

	private final Map<WebSocketHttpRequestHandler, WebSocketHttpRequestHandler> registering = new ConcurrentHashMap<>();

	GoingAwayWebSocketHandlerAdapter(LongLivedConnections longLived) {
		this.longLived = longLived;
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public boolean supports(Object handler) {
		return handler instanceof WebSocketHttpRequestHandler;
	}

	@Override
	public ModelAndView handle(HttpServletRequest request, HttpServletResponse response, Object handler)
			throws Exception {
		this.registering.computeIfAbsent((WebSocketHttpRequestHandler) handler, this::registering)
			.handleRequest(request, response);
		return null;
	}

	private WebSocketHttpRequestHandler registering(WebSocketHttpRequestHandler original) {
		WebSocketHttpRequestHandler copy = new Registering(
				new GoingAwayWebSocketSessions(original.getWebSocketHandler(), this.longLived), original);
		copy.setHandshakeInterceptors(original.getHandshakeInterceptors());
		return copy;
	}

	/**
	 * A copy of an endpoint's handler: its WebSocket handler is decorated already (the
	 * original's logging and exception decorators inside the registering one), and its
	 * handshake handler is the original's, started and stopped with the original.
	 */
	private static final class Registering extends WebSocketHttpRequestHandler {

		Registering(WebSocketHandler registering, WebSocketHttpRequestHandler original) {
			super(registering, original.getHandshakeHandler());
		}

		@Override
		protected WebSocketHandler decorate(WebSocketHandler handler) {
			return handler;
		}

	}

}
