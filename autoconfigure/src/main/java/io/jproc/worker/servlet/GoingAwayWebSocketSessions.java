package io.jproc.worker.servlet;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.jproc.worker.LongLivedConnections;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;

/**
 * A spring-websocket handler with every session registered as a long-lived connection:
 * when the worker leaves the session is closed with 1001 "going away", which a client
 * reads as "reconnect elsewhere"; a session opened after the worker sent the others away
 * is closed at once, and the application's handler never sees it. The registration ends
 * when the session closes, however it closes.
 */
final class GoingAwayWebSocketSessions extends WebSocketHandlerDecorator {

	static final String KIND = "websocket";

	static final CloseStatus GOING_AWAY = CloseStatus.GOING_AWAY.withReason("server worker leaving");

	private final LongLivedConnections longLived;

	private final Map<String, LongLivedConnections.Registration> open = new ConcurrentHashMap<>();

	GoingAwayWebSocketSessions(WebSocketHandler delegate, LongLivedConnections longLived) {
		super(delegate);
		this.longLived = longLived;
	}

	@Override
	public void afterConnectionEstablished(WebSocketSession session) throws Exception {
		this.open.put(session.getId(), this.longLived.open(KIND, () -> goAway(session)));
		if (session.isOpen()) {
			super.afterConnectionEstablished(session);
		}
	}

	@Override
	public void afterConnectionClosed(WebSocketSession session, CloseStatus closeStatus) throws Exception {
		LongLivedConnections.Registration registration = this.open.remove(session.getId());
		try {
			super.afterConnectionClosed(session, closeStatus);
		}
		finally {
			if (registration != null) {
				registration.close();
			}
		}
	}

	private static void goAway(WebSocketSession session) {
		try {
			session.close(GOING_AWAY);
		}
		catch (Exception ex) {
			// Closing already (the container ends it and calls afterConnectionClosed).
		}
	}

}
