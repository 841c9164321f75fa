package io.jproc.worker.servlet;

import io.jproc.worker.LongLivedConnections;
import io.jproc.worker.LongLivedConnectionsAccess;
import io.jproc.worker.RequestCounter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockAsyncContext;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link EventStreamsEndWhenLeaving} behind {@link ServletRequestTracker}.
 */
class EventStreamsEndWhenLeavingTests {

	private final RequestCounter counter = new RequestCounter((error, thread) -> {
	}, (served) -> {
	});

	private final LongLivedConnections longLived = new LongLivedConnections();

	@Test
	void asyncEventStreamLeavesTheInFlightCountAndEndsWhenSentAway() throws Exception {
		MockHttpServletRequest request = serve("text/event-stream;charset=UTF-8");
		assertThat(this.counter.inFlight()).as("in flight once the event stream started").isZero();
		assertThat(this.longLived.count(EventStreamsEndWhenLeaving.KIND)).isOne();
		assertThat(this.counter.served()).isZero();
		assertThat(LongLivedConnectionsAccess.sendAway(this.longLived)).isOne();
		assertThat(request.isAsyncStarted()).as("asynchronous handling still going after go away").isFalse();
		assertThat(this.longLived.count()).isZero();
		assertThat(this.counter.inFlight()).isZero();
		assertThat(this.counter.served()).isOne();
	}

	@Test
	void eventStreamThatEndsByItselfLeavesTheRegistry() throws Exception {
		MockHttpServletRequest request = serve("text/event-stream");
		((MockAsyncContext) request.getAsyncContext()).complete();
		assertThat(this.longLived.count()).isZero();
		assertThat(this.counter.inFlight()).isZero();
		assertThat(this.counter.served()).isOne();
	}

	@Test
	void eventStreamStartedAfterTheWorkerSentTheOthersAwayEndsAtOnce() throws Exception {
		LongLivedConnectionsAccess.sendAway(this.longLived);
		MockHttpServletRequest request = serve("text/event-stream");
		assertThat(request.isAsyncStarted()).isFalse();
		assertThat(this.longLived.count()).isZero();
		assertThat(this.counter.inFlight()).isZero();
		assertThat(this.counter.served()).isOne();
	}

	@Test
	void otherAsyncResponseStaysInFlightAndIsNotSentAway() throws Exception {
		MockHttpServletRequest request = serve("application/json");
		assertThat(this.counter.inFlight()).isOne();
		assertThat(this.longLived.count()).isZero();
		LongLivedConnectionsAccess.sendAway(this.longLived);
		assertThat(request.isAsyncStarted()).isTrue();
		((MockAsyncContext) request.getAsyncContext()).complete();
		assertThat(this.counter.inFlight()).isZero();
		assertThat(this.counter.served()).isOne();
	}

	@Test
	void contentTypesThatAreEventStreams() {
		assertThat(EventStreamsEndWhenLeaving.isEventStream("text/event-stream")).isTrue();
		assertThat(EventStreamsEndWhenLeaving.isEventStream("text/event-stream; charset=utf-8")).isTrue();
		assertThat(EventStreamsEndWhenLeaving.isEventStream("text/plain")).isFalse();
		assertThat(EventStreamsEndWhenLeaving.isEventStream("not a type")).isFalse();
		assertThat(EventStreamsEndWhenLeaving.isEventStream(null)).isFalse();
	}

	/** Serve a request whose handling starts asynchronously with the content type. */
	private MockHttpServletRequest serve(String contentType) throws Exception {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/events");
		request.setAsyncSupported(true);
		MockHttpServletResponse response = new MockHttpServletResponse();
		MockFilterChain chain = new MockFilterChain(new HttpServlet() {

			@Override
			protected void service(HttpServletRequest req, HttpServletResponse res) {
				res.setContentType(contentType);
				req.startAsync(req, res);
			}

		}, new ServletRequestTracker(this.counter), new EventStreamsEndWhenLeaving(this.longLived));
		chain.doFilter(request, response);
		return request;
	}

}
