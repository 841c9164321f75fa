package io.jproc.samplemvc;

import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.handler.TextWebSocketHandler;

/**
 * A WebSocket at {@code /ws} that greets with the worker that holds it
 * ({@code worker=<id> pid=<pid>}), then echoes each text message, the same as the WebFlux
 * sample's.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class WebSocketRoutes implements WebSocketConfigurer {

	private final String holder;

	WebSocketRoutes(Environment environment) {
		this.holder = "worker=" + environment.getProperty("jproc.worker.id", "0") + " pid="
				+ ProcessHandle.current().pid();
	}

	@Override
	public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
		registry.addHandler(new Echo(this.holder), "/ws");
	}

	private static final class Echo extends TextWebSocketHandler {

		private final String holder;

		Echo(String holder) {
			this.holder = holder;
		}

		@Override
		public void afterConnectionEstablished(WebSocketSession session) throws Exception {
			session.sendMessage(new TextMessage(this.holder));
		}

		@Override
		protected void handleTextMessage(WebSocketSession session, TextMessage message) throws Exception {
			session.sendMessage(new TextMessage("echo " + message.getPayload()));
		}

	}

}
