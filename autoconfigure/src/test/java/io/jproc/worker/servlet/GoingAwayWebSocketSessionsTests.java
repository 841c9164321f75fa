package io.jproc.worker.servlet;

import java.util.ArrayList;
import java.util.List;

import io.jproc.worker.LongLivedConnections;
import io.jproc.worker.LongLivedConnectionsAccess;
import org.junit.jupiter.api.Test;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;
import static org.mockito.BDDMockito.willAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;

/**
 * Tests for {@link GoingAwayWebSocketSessions}.
 */
class GoingAwayWebSocketSessionsTests {

	private final LongLivedConnections longLived = new LongLivedConnections();

	private final List<String> seen = new ArrayList<>();

	private final GoingAwayWebSocketSessions handler = new GoingAwayWebSocketSessions(new AbstractWebSocketHandler() {

		@Override
		public void afterConnectionEstablished(WebSocketSession session) {
			GoingAwayWebSocketSessionsTests.this.seen.add("open " + session.getId());
		}

		@Override
		public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
			GoingAwayWebSocketSessionsTests.this.seen.add("closed " + session.getId() + " " + status.getCode());
		}

	}, this.longLived);

	@Test
	void registersEachSessionAndClosesItWith1001WhenSentAway() throws Exception {
		WebSocketSession one = session("1");
		WebSocketSession two = session("2");
		this.handler.afterConnectionEstablished(one);
		this.handler.afterConnectionEstablished(two);
		assertThat(this.longLived.count(GoingAwayWebSocketSessions.KIND)).isEqualTo(2);
		assertThat(this.seen).containsExactly("open 1", "open 2");
		then(one).should(never()).close(GoingAwayWebSocketSessions.GOING_AWAY);
		assertThat(LongLivedConnectionsAccess.sendAway(this.longLived)).isEqualTo(2);
		then(one).should().close(GoingAwayWebSocketSessions.GOING_AWAY);
		then(two).should().close(GoingAwayWebSocketSessions.GOING_AWAY);
		assertThat(GoingAwayWebSocketSessions.GOING_AWAY.getCode()).isEqualTo(1001);
		this.handler.afterConnectionClosed(one, GoingAwayWebSocketSessions.GOING_AWAY);
		this.handler.afterConnectionClosed(two, GoingAwayWebSocketSessions.GOING_AWAY);
		assertThat(this.longLived.count()).isZero();
		assertThat(this.seen).containsExactly("open 1", "open 2", "closed 1 1001", "closed 2 1001");
	}

	@Test
	void unregistersASessionClosedByEitherSide() throws Exception {
		WebSocketSession one = session("1");
		this.handler.afterConnectionEstablished(one);
		assertThat(this.longLived.count()).isOne();
		this.handler.afterConnectionClosed(one, CloseStatus.NORMAL);
		assertThat(this.longLived.count()).isZero();
		assertThat(LongLivedConnectionsAccess.sendAway(this.longLived)).isZero();
		then(one).should(never()).close(GoingAwayWebSocketSessions.GOING_AWAY);
	}

	@Test
	void sessionOpenedAfterTheWorkerSentTheOthersAwayIsClosedAtOnce() throws Exception {
		LongLivedConnectionsAccess.sendAway(this.longLived);
		WebSocketSession late = session("late");
		this.handler.afterConnectionEstablished(late);
		then(late).should().close(GoingAwayWebSocketSessions.GOING_AWAY);
		assertThat(this.seen).as("the application never sees it").isEmpty();
		this.handler.afterConnectionClosed(late, GoingAwayWebSocketSessions.GOING_AWAY);
		assertThat(this.longLived.count()).isZero();
	}

	@Test
	void unregistersEvenWhenTheApplicationFailsOnClose() throws Exception {
		GoingAwayWebSocketSessions failing = new GoingAwayWebSocketSessions(new AbstractWebSocketHandler() {

			@Override
			public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
				throw new IllegalStateException("boom");
			}

		}, this.longLived);
		WebSocketSession one = session("1");
		failing.afterConnectionEstablished(one);
		try {
			failing.afterConnectionClosed(one, CloseStatus.NORMAL);
		}
		catch (IllegalStateException ex) {
			// expected
		}
		assertThat(this.longLived.count()).isZero();
	}

	private static WebSocketSession session(String id) throws Exception {
		WebSocketSession session = mock(WebSocketSession.class);
		boolean[] open = { true };
		given(session.getId()).willReturn(id);
		given(session.isOpen()).willAnswer((invocation) -> open[0]);
		willAnswer((invocation) -> {
			open[0] = false;
			return null;
		}).given(session).close(GoingAwayWebSocketSessions.GOING_AWAY);
		return session;
	}

}
