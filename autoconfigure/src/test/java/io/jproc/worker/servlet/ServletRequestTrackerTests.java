package io.jproc.worker.servlet;

import java.util.ArrayList;
import java.util.List;

import io.jproc.worker.RequestCounter;
import jakarta.servlet.ServletException;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockAsyncContext;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link ServletRequestTracker}.
 */
class ServletRequestTrackerTests {

	private final List<Throwable> errors = new ArrayList<>();

	private final List<Long> served = new ArrayList<>();

	private final RequestCounter counter = new RequestCounter((error, thread) -> this.errors.add(error),
			this.served::add);

	private final ServletRequestTracker tracker = new ServletRequestTracker(this.counter);

	@Test
	void requestIsInFlightWhileHandledThenServed() throws Exception {
		long[] inFlightDuring = new long[1];
		MockFilterChain chain = new MockFilterChain(new jakarta.servlet.http.HttpServlet() {

			@Override
			protected void service(jakarta.servlet.http.HttpServletRequest request,
					jakarta.servlet.http.HttpServletResponse response) {
				inFlightDuring[0] = ServletRequestTrackerTests.this.counter.inFlight();
			}

		});
		this.tracker.doFilter(new MockHttpServletRequest("GET", "/"), new MockHttpServletResponse(), chain);
		assertThat(inFlightDuring[0]).isEqualTo(1);
		assertThat(this.counter.inFlight()).isZero();
		assertThat(this.counter.served()).isEqualTo(1);
		assertThat(this.served).containsExactly(1L);
	}

	@Test
	void asyncRequestStaysInFlightUntilItCompletes() throws Exception {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/");
		request.setAsyncSupported(true);
		MockHttpServletResponse response = new MockHttpServletResponse();
		MockFilterChain chain = new MockFilterChain(new jakarta.servlet.http.HttpServlet() {

			@Override
			protected void service(jakarta.servlet.http.HttpServletRequest req,
					jakarta.servlet.http.HttpServletResponse res) {
				req.startAsync(req, res);
			}

		});
		this.tracker.doFilter(request, response, chain);
		assertThat(this.counter.inFlight()).as("in flight after the first dispatch returned").isEqualTo(1);
		assertThat(this.counter.served()).isZero();
		((MockAsyncContext) request.getAsyncContext()).complete();
		assertThat(this.counter.inFlight()).isZero();
		assertThat(this.counter.served()).isEqualTo(1);
	}

	@Test
	void errorOfTheHandlingIsReportedAndTheRequestEnds() {
		OutOfMemoryError fatal = new OutOfMemoryError("simulated");
		MockFilterChain chain = new MockFilterChain(new jakarta.servlet.http.HttpServlet() {

			@Override
			protected void service(jakarta.servlet.http.HttpServletRequest request,
					jakarta.servlet.http.HttpServletResponse response) throws ServletException {
				throw new ServletException("Handler dispatch failed", fatal);
			}

		});
		assertThatExceptionOfType(ServletException.class).isThrownBy(() -> this.tracker
			.doFilter(new MockHttpServletRequest("GET", "/"), new MockHttpServletResponse(), chain));
		assertThat(this.errors).hasSize(1);
		assertThat(this.errors.get(0)).hasCause(fatal);
		assertThat(this.counter.inFlight()).isZero();
		assertThat(this.counter.served()).isEqualTo(1);
	}

	@Test
	void warmupRequestIsServedButNotCounted() throws Exception {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/");
		request.addHeader(RequestCounter.warmupHeader(), "not this JVM's token");
		this.tracker.doFilter(request, new MockHttpServletResponse(), new MockFilterChain());
		assertThat(this.counter.served()).as("a header without this JVM's token counts").isEqualTo(1);
	}

}
