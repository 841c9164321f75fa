package io.jproc.worker;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;

import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * WebFlux's request filter for the {@link RequestCounter}: counts the requests this
 * worker serves and has in flight (a request that turns into a long-lived connection
 * leaves the in-flight count through {@link LongLivedConnections#LEAVES_IN_FLIGHT}), and
 * hands every error of request handling to the {@link FatalErrorGuard}, before WebFlux
 * turns it into a 500. Runs first in the filter chain.
 */
final class RequestTracker implements WebFilter, Ordered {

	private final RequestCounter counter;

	/**
	 * Create a tracker with a counter of its own.
	 * @param fatalErrors receives every error of request handling
	 * @param onServed receives the number of requests served so far after each one
	 */
	RequestTracker(FatalErrorGuard fatalErrors, LongConsumer onServed) {
		this(new RequestCounter(fatalErrors::report, onServed));
	}

	/**
	 * Create a tracker that feeds a counter.
	 * @param counter the worker's request counter
	 */
	RequestTracker(RequestCounter counter) {
		this.counter = counter;
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (this.counter.isWarmup(exchange.getRequest().getHeaders().getFirst(WorkerWarmup.HEADER))) {
			// The worker's own warm-up: served, but neither counted nor in flight.
			return chain.filter(exchange).doOnError(this.counter::failed);
		}
		return new TrackedRequest(exchange, chain);
	}

	long served() {
		return this.counter.served();
	}

	long inFlight() {
		return this.counter.inFlight();
	}

	/**
	 * One request's handling. A Mono of its own rather than operators: Reactor rethrows a
	 * fatal error raised while subscribing (Exceptions.throwIfJvmFatal), so no operator
	 * would see it; a try around the subscription does.
	 */
	private final class TrackedRequest extends Mono<Void> {

		private final ServerWebExchange exchange;

		private final WebFilterChain chain;

		private final AtomicBoolean done = new AtomicBoolean();

		/** Whether this request has left the in-flight count (done, or long-lived). */
		private final AtomicBoolean leftInFlight = new AtomicBoolean();

		TrackedRequest(ServerWebExchange exchange, WebFilterChain chain) {
			this.exchange = exchange;
			this.chain = chain;
		}

		@Override
		public void subscribe(CoreSubscriber<? super Void> actual) {
			RequestTracker.this.counter.started();
			this.exchange.getAttributes().put(LongLivedConnections.LEAVES_IN_FLIGHT, (Runnable) this::leaveInFlight);
			try {
				this.chain.filter(this.exchange)
					.doOnError(RequestTracker.this.counter::failed)
					.doFinally((signal) -> done())
					.subscribe(actual);
			}
			catch (RuntimeException | Error ex) {
				RequestTracker.this.counter.failed(ex);
				done();
				throw ex;
			}
		}

		private void done() {
			if (this.done.compareAndSet(false, true)) {
				RequestTracker.this.counter.finished(this.leftInFlight.compareAndSet(false, true));
			}
		}

		/**
		 * No longer in flight: done, or turned into a long-lived connection (a WebSocket,
		 * an event stream) that {@link LongLivedConnections} counts instead.
		 */
		private void leaveInFlight() {
			if (this.leftInFlight.compareAndSet(false, true)) {
				RequestTracker.this.counter.leftInFlight();
			}
		}

	}

}
