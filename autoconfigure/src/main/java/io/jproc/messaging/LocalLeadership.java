package io.jproc.messaging;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;

/**
 * Leadership in a single process: it leads, with epoch 1, and says so once ready.
 */
final class LocalLeadership implements JprocLeadership, ApplicationListener<ApplicationReadyEvent> {

	private volatile boolean announced;

	@Override
	public boolean isLeader() {
		return true;
	}

	@Override
	public long epoch() {
		return 1;
	}

	@Override
	public void yieldLeadership() {
		// Nobody to yield to.
	}

	@Override
	public void onApplicationEvent(ApplicationReadyEvent event) {
		if (!this.announced) {
			this.announced = true;
			event.getApplicationContext().publishEvent(new LeadershipGranted(1));
		}
	}

}
