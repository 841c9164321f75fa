package io.jproc.ipc;

/**
 * Every message master and workers exchange. Each record is one message type; its wire
 * name is the record's simple name in kebab case ({@code Ready} is {@code "ready"}).
 * Add a type by adding a record here: {@link MessageTypes} finds it.
 */
public sealed interface Message {

	/**
	 * Worker to master: the application is ready to take traffic.
	 * @param pid the worker's process id
	 * @param bootMillis time from JVM start to ready, as the worker saw it
	 */
	record Ready(long pid, long bootMillis) implements Message {
	}

	/**
	 * Master to worker: stop accepting, drain in-flight requests and exit 0.
	 * @param reason why, for the worker's log
	 */
	record Stop(String reason) implements Message {
	}

	/**
	 * Worker to master: liveness and the worker's figures.
	 * @param heapUsed heap bytes in use
	 * @param heapMax maximum heap bytes
	 * @param rss resident set size in bytes, {@code -1} if unknown
	 * @param requestsServed requests completed since start
	 * @param requestsInFlight requests being served now
	 */
	record Heartbeat(long heapUsed, long heapMax, long rss, long requestsServed, long requestsInFlight)
			implements Message {
	}

	/**
	 * Worker to master: replace me. Urgent reasons stop accepting at once; planned ones
	 * keep serving until the master sends {@link ReplacementReady}.
	 * @param reason what happened
	 * @param urgent whether the worker may be corrupt and stops accepting at once
	 */
	record Retire(String reason, boolean urgent) implements Message {
	}

	/**
	 * Master to worker: your replacement is ready (or will not come); drain and exit.
	 * @param replacementPid pid of the replacement, {@code -1} if none
	 */
	record ReplacementReady(long replacementPid) implements Message {
	}

	/**
	 * Worker to master: the worker has stopped serving (Boot's graceful shutdown ended)
	 * and is closing down. Reported for the retirement log line.
	 * @param unfinished requests still in flight when the drain ended; more than 0 when
	 * {@code jproc.drain-timeout} cut them off
	 */
	record Drained(long unfinished) implements Message {
	}

	/**
	 * Either side, as a reply: the request could not be served.
	 * @param message what went wrong
	 */
	record Failure(String message) implements Message {
	}

}
