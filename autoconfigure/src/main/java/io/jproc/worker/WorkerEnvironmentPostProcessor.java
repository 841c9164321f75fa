package io.jproc.worker;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.jproc.JprocProperties;
import io.jproc.WorkerCount;
import io.jproc.WorkerEnvironment;
import sun.misc.Signal;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.ClassUtils;

/**
 * Prepares the Environment of jproc's processes before logging starts. In a worker:
 * {@code jproc.worker.id} ({@code 0} for a spare, until it takes a slot),
 * {@code jproc.worker.number} and {@code jproc.worker.spare}, in a property source that
 * {@link WorkerIdentity#takeSlot(int)} updates; graceful shutdown bounded by
 * {@code jproc.drain-timeout}, log lines that start with the worker's current label
 * ({@code [worker 2]}, {@code [spare #7]}: with Logback read on every line from the
 * {@value WorkerIdentity#LABEL_PROPERTY} system property, otherwise fixed at start), a
 * health status order that knows the pool's {@code DEGRADED}, and SIGINT left to the
 * master (a terminal's Ctrl-C reaches the whole process group; the master drains the
 * workers in order). In a master: log lines marked {@code [master]}. The user's own
 * settings always win.
 */
final class WorkerEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	/** Name of the property source with the worker's identity. */
	public static final String WORKER_SOURCE = "jproc-worker";

	/** Name of the property source with jproc's defaults. */
	public static final String DEFAULTS_SOURCE = "jproc-defaults";

	/**
	 * The level pattern with Logback, whose {@code %property} reads the logger context's
	 * properties, then the system properties, on every event.
	 */
	static final String DYNAMIC_LEVEL_PATTERN = "[%property{" + WorkerIdentity.LABEL_PROPERTY + "}] %5p";

	private static final int SERVLET_THREADS_PER_PROCESSOR = 100;

	private static final int SERVLET_THREADS_MIN = 50;

	private static final int SERVLET_THREADS_MAX = 200;

	private static final String LOGBACK_CONTEXT = "ch.qos.logback.classic.LoggerContext";

	private static final String LOGBACK_SYSTEM = "org.springframework.boot.logging.logback.LogbackLoggingSystem";

	private final boolean handleSignals;

	/**
	 * Create the post-processor, as Boot does.
	 */
	WorkerEnvironmentPostProcessor() {
		this(true);
	}

	/**
	 * Create the post-processor.
	 * @param handleSignals whether a worker's SIGINT is ignored; tests leave it alone
	 */
	WorkerEnvironmentPostProcessor(boolean handleSignals) {
		this.handleSignals = handleSignals;
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		WorkerEnvironment worker = WorkerEnvironment.of(environment::getProperty);
		Map<String, Object> defaults = new LinkedHashMap<>();
		if (worker.isWorker()) {
			int id = worker.workerId();
			long number = worker.workerNumber();
			String label = WorkerIdentity.label(id, number);
			// Changed when a spare takes a slot: thread-safe and mutable.
			Map<String, Object> identity = new ConcurrentHashMap<>();
			identity.put(WorkerIdentity.ID_PROPERTY, id);
			identity.put(WorkerIdentity.NUMBER_PROPERTY, number);
			identity.put(WorkerIdentity.SPARE_PROPERTY, worker.isSpare());
			environment.getPropertySources().addFirst(new MapPropertySource(WORKER_SOURCE, identity));
			System.setProperty(WorkerIdentity.LABEL_PROPERTY, label);
			defaults.put("server.shutdown", "graceful");
			// Sized by the worker's share of the processors (-XX:ActiveProcessorCount),
			// as Netty sizes its event loops; a value the user set wins, being in a
			// source before this one. Virtual threads replace the pool.
			if (!"false".equals(environment.getProperty("jproc.worker.right-size"))) {
				int threads = servletThreads(Runtime.getRuntime().availableProcessors());
				defaults.put("server.tomcat.threads.max", threads);
				// Jetty's too; on virtual threads it bounds Jetty's concurrent tasks,
				// whose default (200) is a whole machine's as well.
				defaults.put("server.jetty.threads.max", threads);
			}
			defaults.put("spring.lifecycle.timeout-per-shutdown-phase",
					environment.getProperty("jproc.drain-timeout", JprocProperties.DEFAULT_DRAIN_TIMEOUT.toString()));
			defaults.put("logging.pattern.level",
					isLogback(application) ? DYNAMIC_LEVEL_PATTERN : "[" + label + "] %5p");
			// The workers health contributor's DEGRADED (the pool serves, short of
			// workers)
			// ranks between DOWN and UP; unknown to the default order it would be
			// ignored.
			defaults.put("management.endpoint.health.status.order", "DOWN,OUT_OF_SERVICE,DEGRADED,UP,UNKNOWN");
			if (id != 1) {
				defaults.put("spring.main.banner-mode", "off");
			}
			if (this.handleSignals) {
				ignoreInterrupt();
			}
		}
		else if (isMaster(environment)) {
			defaults.put("logging.pattern.level", "[master] %5p");
		}
		if (!defaults.isEmpty()) {
			environment.getPropertySources().addLast(new MapPropertySource(DEFAULTS_SOURCE, defaults));
		}
	}

	/**
	 * Request threads of a servlet worker: 100 per processor of its share, from 50 to
	 * Tomcat's own default of 200. Two workers on two processors have 200 in all, what
	 * one plain JVM has, rather than 400.
	 * @param processors the processors this worker sees
	 * @return the maximum number of request threads
	 */
	static int servletThreads(int processors) {
		return Math.max(SERVLET_THREADS_MIN, Math.min(SERVLET_THREADS_MAX, SERVLET_THREADS_PER_PROCESSOR * processors));
	}

	/**
	 * Whether Boot will log through Logback: what its {@code LoggingSystem} detection
	 * picks, unless the {@code LoggingSystem} system property names another.
	 * @param application the application, for its class loader
	 * @return whether the logging system is Logback
	 */
	private static boolean isLogback(SpringApplication application) {
		String chosen = System.getProperty("org.springframework.boot.logging.LoggingSystem");
		if (chosen != null && !chosen.isBlank()) {
			return LOGBACK_SYSTEM.equals(chosen.trim());
		}
		ClassLoader classLoader = (application != null) ? application.getClassLoader() : null;
		return ClassUtils.isPresent(LOGBACK_CONTEXT, classLoader);
	}

	private static boolean isMaster(ConfigurableEnvironment environment) {
		try {
			return Binder.get(environment)
				.bind(JprocProperties.PREFIX + ".workers", WorkerCount.class)
				.map(WorkerCount::enabled)
				.orElse(false);
		}
		catch (RuntimeException ex) {
			// A wrong value is reported, with its key, when the master starts.
			return false;
		}
	}

	private static void ignoreInterrupt() {
		try {
			Signal.handle(new Signal("INT"), (signal) -> {
			});
		}
		catch (IllegalArgumentException ex) {
			// No SIGINT here.
		}
	}

}
