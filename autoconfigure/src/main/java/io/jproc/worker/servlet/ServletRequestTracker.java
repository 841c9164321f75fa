package io.jproc.worker.servlet;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

import io.jproc.worker.LongLivedConnections;
import io.jproc.worker.RequestCounter;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The servlet request filter that feeds the worker's {@link RequestCounter}: a request is
 * in flight from its first dispatch until its response is complete, through every
 * asynchronous dispatch; every exception that leaves the handling is handed to the fatal
 * error guard before the container turns it into a 500. The worker's own warm-up requests
 * are served but not counted. Registered first, for the {@code REQUEST} dispatch only
 * (asynchronous dispatches belong to the request already counted). A request that turns
 * into a long-lived connection (an event stream) leaves the in-flight count through the
 * {@link LongLivedConnections#LEAVES_IN_FLIGHT} request attribute.
 */
final class ServletRequestTracker implements Filter {

	private final RequestCounter counter;

	ServletRequestTracker(RequestCounter counter) {
		this.counter = counter;
	}

	@Override
	public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
			throws IOException, ServletException {
		String warmup = (request instanceof HttpServletRequest http) ? http.getHeader(RequestCounter.warmupHeader())
				: null;
		if (this.counter.isWarmup(warmup)) {
			handle(request, response, chain);
			return;
		}
		this.counter.started();
		Done done = new Done();
		request.setAttribute(LongLivedConnections.LEAVES_IN_FLIGHT, (Runnable) done::leaveInFlight);
		try {
			handle(request, response, chain);
		}
		finally {
			if (!request.isAsyncStarted() || !listen(request, done)) {
				done.run();
			}
		}
	}

	private void handle(ServletRequest request, ServletResponse response, FilterChain chain)
			throws IOException, ServletException {
		try {
			chain.doFilter(request, response);
		}
		catch (IOException | ServletException | RuntimeException | Error ex) {
			this.counter.failed(ex);
			throw ex;
		}
	}

	/**
	 * Count the request as done when its asynchronous handling ends.
	 * @param request a request whose asynchronous handling has started
	 * @param done what ends it
	 * @return whether the listener was added (not when the handling ended already)
	 */
	private static boolean listen(ServletRequest request, Done done) {
		try {
			request.getAsyncContext().addListener(done);
			return true;
		}
		catch (IllegalStateException ex) {
			return false;
		}
	}

	/**
	 * Ends the request's count once, whichever of completion, error or timeout comes.
	 */
	private final class Done implements AsyncListener, Runnable {

		private final AtomicBoolean ended = new AtomicBoolean();

		/** Whether this request has left the in-flight count (done, or long-lived). */
		private final AtomicBoolean leftInFlight = new AtomicBoolean();

		@Override
		public void run() {
			if (this.ended.compareAndSet(false, true)) {
				ServletRequestTracker.this.counter.finished(this.leftInFlight.compareAndSet(false, true));
			}
		}

		/**
		 * No longer in flight though not ended: the request turned into a long-lived
		 * connection that {@link LongLivedConnections} counts instead.
		 */
		void leaveInFlight() {
			if (this.leftInFlight.compareAndSet(false, true)) {
				ServletRequestTracker.this.counter.leftInFlight();
			}
		}

		@Override
		public void onComplete(AsyncEvent event) {
			run();
		}

		@Override
		public void onTimeout(AsyncEvent event) {
			// The container completes or dispatches the error next: onComplete follows.
		}

		@Override
		public void onError(AsyncEvent event) {
			Throwable error = event.getThrowable();
			if (error != null) {
				ServletRequestTracker.this.counter.failed(error);
			}
		}

		@Override
		public void onStartAsync(AsyncEvent event) {
			// A new asynchronous cycle of the same request: keep listening to it.
			event.getAsyncContext().addListener(this);
		}

	}

}
