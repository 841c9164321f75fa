package io.jproc.worker.jetty;

import jnr.constants.platform.Sysconf;
import jnr.posix.POSIXFactory;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ThreadPool;

import org.springframework.boot.jetty.ConfigurableJettyWebServerFactory;
import org.springframework.boot.jetty.JettyWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Sizes a worker's Jetty request threads to its share of the processors. Boot gives every
 * Jetty server up to {@value #MACHINE_THREADS} platform threads, a budget meant for a
 * whole machine, so N workers would run N times as many; a worker started with
 * {@code -XX:ActiveProcessorCount} (jproc's right-sizing) gets the same share of them as
 * of the processors, at least {@value #MIN_THREADS}. Runs after Boot's own Jetty
 * customizers; leaves the pool alone when the user set {@code server.jetty.threads.max},
 * and when the server runs on virtual threads ({@code spring.threads.virtual.enabled}),
 * which need no such budget.
 */
final class JettyThreadSizing implements WebServerFactoryCustomizer<ConfigurableJettyWebServerFactory>, Ordered {

	/** Boot's default {@code server.jetty.threads.max}. */
	static final int MACHINE_THREADS = 200;

	/** Boot's default {@code server.jetty.threads.min}. */
	static final int MIN_THREADS = 8;

	static final String MAX_THREADS_PROPERTY = "server.jetty.threads.max";

	private static final Log logger = LogFactory.getLog(JettyThreadSizing.class);

	private final Environment environment;

	private final int processors;

	private final int machineProcessors;

	JettyThreadSizing(Environment environment) {
		this(environment, Runtime.getRuntime().availableProcessors(), onlineProcessors());
	}

	/**
	 * Create the sizing.
	 * @param environment the environment, for the user's own setting
	 * @param processors the processors this worker may use
	 * @param machineProcessors the processors of the machine
	 */
	JettyThreadSizing(Environment environment, int processors, int machineProcessors) {
		this.environment = environment;
		this.processors = processors;
		this.machineProcessors = machineProcessors;
	}

	/**
	 * The maximum number of request threads for this worker.
	 * @return the share of {@value #MACHINE_THREADS}, at least {@value #MIN_THREADS}
	 */
	int maxThreads() {
		int machine = Math.max(this.processors, this.machineProcessors);
		int share = (int) Math.ceil((double) MACHINE_THREADS * this.processors / machine);
		return Math.max(MIN_THREADS, share);
	}

	@Override
	public void customize(ConfigurableJettyWebServerFactory factory) {
		if (this.environment.containsProperty(MAX_THREADS_PROPERTY)) {
			return;
		}
		ThreadPool pool = (factory instanceof JettyWebServerFactory jetty) ? jetty.getThreadPool() : null;
		if (pool instanceof QueuedThreadPool queued && queued.getVirtualThreadsExecutor() == null) {
			int max = maxThreads();
			if (max < queued.getMaxThreads()) {
				queued.setMinThreads(Math.min(queued.getMinThreads(), max));
				queued.setMaxThreads(max);
				if (logger.isDebugEnabled()) {
					logger.debug("Jetty request threads: at most " + max + " (" + this.processors + " of "
							+ this.machineProcessors + " processors)");
				}
			}
		}
	}

	@Override
	public int getOrder() {
		// After Boot's JettyWebServerFactoryCustomizer (0), which makes the pool, and its
		// virtual threads customizer (1), which replaces it.
		return 10;
	}

	private static int onlineProcessors() {
		try {
			long online = POSIXFactory.getNativePOSIX().sysconf(Sysconf._SC_NPROCESSORS_ONLN);
			return (online > 0) ? (int) online : Runtime.getRuntime().availableProcessors();
		}
		catch (RuntimeException | LinkageError ex) {
			return Runtime.getRuntime().availableProcessors();
		}
	}

}
