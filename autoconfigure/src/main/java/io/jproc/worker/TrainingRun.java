package io.jproc.worker;

import java.util.List;

import io.jproc.JprocProperties;
import io.jproc.WorkerEnvironment;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The boot cache's training run, in the application process the master started for it
 * (never a worker): once the application is ready, request the training paths on its own
 * ephemeral loopback port so that the request path's classes (and on JDK 25 their
 * profiles) go into the archive, then exit, which writes the archive. Leaves at once,
 * without writing anything useful, when the master is gone.
 */
final class TrainingRun implements ApplicationListener<ApplicationReadyEvent> {

	private static final Log logger = LogFactory.getLog(TrainingRun.class);

	@Override
	public void onApplicationEvent(ApplicationReadyEvent event) {
		WorkerEnvironment environment = WorkerEnvironment.current();
		if (!environment.isTraining()) {
			return;
		}
		ConfigurableApplicationContext context = event.getApplicationContext();
		watchMaster(environment.masterPid());
		JprocProperties.BootCache properties = Binder.get(context.getEnvironment())
			.bindOrCreate(JprocProperties.PREFIX, JprocProperties.class)
			.getBootCache();
		int port = context.getEnvironment().getProperty("local.server.port", Integer.class, -1);
		Thread thread = new Thread(() -> {
			if (port > 0) {
				train(port, properties.getTrainingPaths(), properties.getTrainingRequests());
			}
			System.exit(SpringApplication.exit(context));
		}, "jproc-training");
		thread.start();
	}

	private static void train(int port, List<String> paths, int requests) {
		LoopbackRequests.Outcome outcome = LoopbackRequests.send(port, paths, requests, 1, "", () -> false);
		logger.info("jproc boot cache training: " + requests + " requests to each of " + paths + " on port " + port
				+ ", " + outcome.failed() + " failed");
	}

	private static void watchMaster(long masterPid) {
		if (masterPid <= 0) {
			return;
		}
		Thread watcher = new Thread(() -> {
			while (ProcessHandle.of(masterPid).map(ProcessHandle::isAlive).orElse(false)) {
				try {
					Thread.sleep(1000);
				}
				catch (InterruptedException ex) {
					return;
				}
			}
			// An archive of a run whose master is gone is never published: leave now.
			Runtime.getRuntime().halt(1);
		}, "jproc-training-master-watch");
		watcher.setDaemon(true);
		watcher.start();
	}

}
