package io.jproc.worker;

import io.jproc.ExitCodes;
import io.jproc.WorkerEnvironment;

import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.context.ApplicationListener;

/**
 * Makes a worker whose application failed to start exit with
 * {@link ExitCodes#WORKER_BOOT_FAILED}, even if some non-daemon thread would keep the JVM
 * alive, once Boot has reported the failure.
 */
final class WorkerFailureListener implements ApplicationListener<ApplicationFailedEvent> {

	private static final long REPORT_DELAY_MILLIS = 1000;

	@Override
	public void onApplicationEvent(ApplicationFailedEvent event) {
		if (!WorkerEnvironment.current().isWorker()) {
			return;
		}
		Thread exit = new Thread(() -> {
			try {
				Thread.sleep(REPORT_DELAY_MILLIS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			System.exit(ExitCodes.WORKER_BOOT_FAILED);
		}, "jproc-boot-failed");
		exit.setDaemon(true);
		exit.start();
	}

}
