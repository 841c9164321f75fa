package io.jproc.sample;

import java.time.Duration;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * With {@code sample.stuck-drain=60s} the application takes that long to stop, like a
 * consumer that does not let go: what a worker whose drain outlasts its deadline looks
 * like to jproc.
 */
@Component
@ConditionalOnProperty("sample.stuck-drain")
class StuckDrain implements SmartLifecycle {

	private final Duration stuckFor;

	private volatile boolean running;

	StuckDrain(@Value("${sample.stuck-drain}") Duration stuckFor) {
		this.stuckFor = stuckFor;
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		try {
			Thread.sleep(this.stuckFor.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

}
