package io.jproc.worker.servlet;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

import io.jproc.worker.LongLivedConnections;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;

import org.springframework.http.MediaType;

/**
 * Every asynchronous {@code text/event-stream} response (Spring MVC's {@code SseEmitter},
 * a {@code ResponseBodyEmitter} or {@code Flux} with that type, a plain
 * {@code AsyncContext}) is a long-lived connection: once the request dispatch that
 * started it returns, it leaves the in-flight count, and when the worker leaves its
 * {@link AsyncContext} is completed, so the chunked response ends normally (the final
 * chunk) and an {@code EventSource} reconnects, to another worker. The application's next
 * write then fails (Spring MVC completes the emitter and calls its completion callbacks).
 * Runs after the request counting, for the {@code REQUEST} dispatch only.
 */
final class EventStreamsEndWhenLeaving implements Filter {

	static final String KIND = "event-stream";

	private final LongLivedConnections longLived;

	EventStreamsEndWhenLeaving(LongLivedConnections longLived) {
		this.longLived = longLived;
	}

	@Override
	public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
			throws IOException, ServletException {
		chain.doFilter(request, response);
		if (request.isAsyncStarted() && isEventStream(response.getContentType())) {
			register(request);
		}
	}

	private void register(ServletRequest request) {
		AsyncContext async;
		try {
			async = request.getAsyncContext();
		}
		catch (IllegalStateException ex) {
			return;
		}
		Ended ended = new Ended();
		try {
			async.addListener(ended);
		}
		catch (IllegalStateException ex) {
			// Completed already: nothing long-lived.
			return;
		}
		if (request.getAttribute(LongLivedConnections.LEAVES_IN_FLIGHT) instanceof Runnable leavesInFlight) {
			leavesInFlight.run();
		}
		ended.registered(this.longLived.open(KIND, async::complete));
	}

	static boolean isEventStream(String contentType) {
		if (contentType == null) {
			return false;
		}
		try {
			return MediaType.TEXT_EVENT_STREAM.isCompatibleWith(MediaType.parseMediaType(contentType));
		}
		catch (IllegalArgumentException ex) {
			// Not a media type (InvalidMediaTypeException): not an event stream.
			return false;
		}
	}

	/**
	 * Closes the registration once the asynchronous handling ends, however it ends, even
	 * if it ended before the registration was made.
	 */
	private static final class Ended implements AsyncListener {

		private final AtomicBoolean ended = new AtomicBoolean();

		private volatile LongLivedConnections.Registration registration;

		void registered(LongLivedConnections.Registration registration) {
			this.registration = registration;
			if (this.ended.get()) {
				registration.close();
			}
		}

		private void end() {
			this.ended.set(true);
			LongLivedConnections.Registration registered = this.registration;
			if (registered != null) {
				registered.close();
			}
		}

		@Override
		public void onComplete(AsyncEvent event) {
			end();
		}

		@Override
		public void onTimeout(AsyncEvent event) {
			// The container completes or dispatches the error next: onComplete follows.
		}

		@Override
		public void onError(AsyncEvent event) {
			// onComplete follows.
		}

		@Override
		public void onStartAsync(AsyncEvent event) {
			// A new asynchronous cycle of the same request: keep listening to it.
			event.getAsyncContext().addListener(this);
		}

	}

}
