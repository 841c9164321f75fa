package io.jproc.worker;

import io.jproc.JprocProperties;
import io.jproc.WorkerEnvironment;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;

/**
 * Opens a worker's link to the master as its application context is made, before any
 * bean, and reads it from then on ({@link MasterLink#listenWhileBooting}): a worker asked
 * to stop while it boots, or whose master dies then, leaves at once ({@link BootExit})
 * instead of after the beans the application makes first, a database pool or a cache that
 * takes its time. The link, the worker's identity and its boot exit become beans of the
 * context, in place of those of {@link JprocWorkerAutoConfiguration}. Does nothing in a
 * process that is not a worker.
 */
final class MasterLinkInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext>, Ordered {

	@Override
	public void initialize(ConfigurableApplicationContext context) {
		WorkerEnvironment worker = WorkerEnvironment.of(context.getEnvironment()::getProperty);
		if (!worker.isWorker() || worker.channelFd() < 0
				|| !(context.getBeanFactory() instanceof DefaultListableBeanFactory beans)) {
			return;
		}
		WorkerIdentity identity = new WorkerIdentity(worker.workerId(), worker.workerNumber(), context.getEnvironment(),
				context);
		MasterLink link = MasterLink.open(identity, worker.channelFd(), new JprocProperties.Ipc().getRequestTimeout());
		BootExit exit = new BootExit(identity::label, context);
		context.addApplicationListener(exit);
		beans.registerSingleton("jprocWorkerIdentity", identity);
		beans.registerSingleton("jprocMasterLink", link);
		beans.registerDisposableBean("jprocMasterLink", link);
		beans.registerSingleton("jprocBootExit", exit);
		link.listenWhileBooting(exit);
	}

	@Override
	public int getOrder() {
		// Before the application's own initializers, which may take their time.
		return Ordered.HIGHEST_PRECEDENCE;
	}

}
