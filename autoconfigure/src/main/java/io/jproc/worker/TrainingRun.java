package io.jproc.worker;

import java.time.Duration;
import java.util.List;

import io.jproc.JprocProperties;
import io.jproc.WorkerEnvironment;
import jnr.posix.POSIXFactory;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.event.SpringApplicationEvent;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.scheduling.config.TaskManagementConfigUtils;

/**
 * The boot cache's training run, in the application process the master started for it
 * (never a worker): once the application is ready, request the training paths on its own
 * ephemeral loopback port so that the request path's classes (and on JDK 25 their
 * profiles) go into the archive, then exit, which writes the archive. Leaves at once,
 * without writing anything useful, when the master is gone.
 * <p>
 * It is not a hidden extra instance of the application: Spring's scheduling is removed
 * from its context (no {@code @Scheduled} method or {@code SchedulingConfigurer} task
 * runs), its leadership is never granted and its {@code @JprocListener} methods are not
 * registered ({@code JprocMessagingAutoConfiguration}), and it sees none of systemd's
 * variables (the master removes them). Asked to stop (SIGTERM, when the master stops or a
 * new jar replaces this one), it closes its context like any application, then ends
 * without writing the archive.
 */
final class TrainingRun implements ApplicationListener<SpringApplicationEvent> {

	private static final Log logger = LogFactory.getLog(TrainingRun.class);

	/** How long a stopped run waits for its context to close (the master waits 3 s). */
	private static final Duration CLOSE_WAIT = Duration.ofMillis(2500);

	private volatile boolean finishing;

	@Override
	public void onApplicationEvent(SpringApplicationEvent event) {
		WorkerEnvironment environment = WorkerEnvironment.current();
		if (!environment.isTraining()) {
			return;
		}
		if (event instanceof ApplicationPreparedEvent prepared) {
			ConfigurableApplicationContext context = prepared.getApplicationContext();
			context.addBeanFactoryPostProcessor(TrainingRun::removeScheduling);
			Thread stop = new Thread(() -> stopWithoutArchive(context), "jproc-training-stop");
			Runtime.getRuntime().addShutdownHook(stop);
		}
		else if (event instanceof ApplicationReadyEvent ready) {
			train(ready.getApplicationContext(), environment);
		}
	}

	private void train(ConfigurableApplicationContext context, WorkerEnvironment environment) {
		watchMaster(environment.masterPid());
		JprocProperties.BootCache properties = Binder.get(context.getEnvironment())
			.bindOrCreate(JprocProperties.PREFIX, JprocProperties.class)
			.getBootCache();
		int port = context.getEnvironment().getProperty("local.server.port", Integer.class, -1);
		Thread thread = new Thread(() -> {
			if (port > 0) {
				train(port, properties.getTrainingPaths(), properties.getTrainingRequests());
			}
			this.finishing = true;
			System.exit(SpringApplication.exit(context));
		}, "jproc-training");
		thread.start();
	}

	/**
	 * No scheduled work in a training run: Spring's post-processor that schedules
	 * {@code @Scheduled} methods (and {@code SchedulingConfigurer} tasks) is removed
	 * before any bean exists.
	 * @param beanFactory the training run's bean factory
	 */
	static void removeScheduling(ConfigurableListableBeanFactory beanFactory) {
		String name = TaskManagementConfigUtils.SCHEDULED_ANNOTATION_PROCESSOR_BEAN_NAME;
		if (beanFactory instanceof BeanDefinitionRegistry registry && registry.containsBeanDefinition(name)) {
			registry.removeBeanDefinition(name);
			logger.info("jproc boot cache training run: scheduled work is off");
		}
	}

	/**
	 * The JVM is leaving before the training finished: the master asked it to stop
	 * (SIGTERM). Spring's own shutdown hook closes the context meanwhile; once it is
	 * closed (or after {@link #CLOSE_WAIT}) the process kills itself, so that the JVM
	 * does not write an archive nobody will use (on JDK 25 that starts another JVM).
	 * @param context the application's context
	 */
	private void stopWithoutArchive(@Nullable ConfigurableApplicationContext context) {
		if (this.finishing) {
			return;
		}
		long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
		while (context != null && context.isActive() && System.nanoTime() < deadline) {
			try {
				Thread.sleep(20);
			}
			catch (InterruptedException ex) {
				break;
			}
		}
		POSIXFactory.getNativePOSIX().kill(ProcessHandle.current().pid(), 9);
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
