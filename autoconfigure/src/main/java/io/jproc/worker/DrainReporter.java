package io.jproc.worker;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.SmartLifecycle;

/**
 * Tells the master when a leaving worker's drain is over: stopped right after Boot's
 * graceful shutdown of the web server has finished or reached its deadline, and before
 * the server itself stops, so the requests still in flight are the ones the deadline cut
 * off.
 */
final class DrainReporter implements SmartLifecycle {

	private final WorkerDeparture departure;

	private final Requests requests;

	private volatile boolean running;

	DrainReporter(WorkerDeparture departure, Requests requests) {
		this.departure = departure;
		this.requests = requests;
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		if (this.departure.isLeaving()) {
			this.departure.drained(this.requests.inFlight());
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE - 1;
	}

}
