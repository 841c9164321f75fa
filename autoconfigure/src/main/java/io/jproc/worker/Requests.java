package io.jproc.worker;

/**
 * The requests a worker has served and has in flight, whatever its web server: what
 * heartbeats and the drain report read. Counted by {@link RequestCounter}, which each
 * server's request filter feeds (WebFlux's {@code RequestTracker}, the servlet filter in
 * {@code io.jproc.worker.servlet}).
 * <p>
 * Internal to jproc.
 */
public interface Requests {

	/**
	 * Requests served so far, not counting the worker's own warm-up.
	 * @return the count
	 */
	long served();

	/**
	 * Requests in flight now (an asynchronous request until it completes).
	 * @return the count
	 */
	long inFlight();

}
