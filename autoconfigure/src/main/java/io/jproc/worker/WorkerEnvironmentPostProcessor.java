package io.jproc.worker;

import java.util.LinkedHashMap;
import java.util.Map;

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

/**
 * Prepares the Environment of jproc's processes before logging starts. In a worker:
 * {@code jproc.worker.id}, graceful shutdown bounded by {@code jproc.drain-timeout}, log
 * lines that start with the worker id, a health status order that knows the pool's
 * {@code DEGRADED}, and SIGINT left to the master (a terminal's Ctrl-C reaches the whole
 * process group; the master drains the workers in order). In a master: log lines marked
 * {@code [master]}. The user's own settings always win.
 */
public final class WorkerEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	/** Name of the property source with the worker's identity. */
	public static final String WORKER_SOURCE = "jproc-worker";

	/** Name of the property source with jproc's defaults. */
	public static final String DEFAULTS_SOURCE = "jproc-defaults";

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
			environment.getPropertySources()
				.addFirst(new MapPropertySource(WORKER_SOURCE, Map.of("jproc.worker.id", id)));
			defaults.put("server.shutdown", "graceful");
			defaults.put("spring.lifecycle.timeout-per-shutdown-phase",
					environment.getProperty("jproc.drain-timeout", "30s"));
			defaults.put("logging.pattern.level", "[worker " + id + "] %5p");
			// The workers health contributor's DEGRADED (the pool serves, short of
			// workers)
			// ranks between DOWN and UP; unknown to the default order it would be
			// ignored.
			defaults.put("management.endpoint.health.status.order", "DOWN,OUT_OF_SERVICE,DEGRADED,UP,UNKNOWN");
			if (id != 1) {
				defaults.put("spring.main.banner-mode", "off");
			}
			ignoreInterrupt();
		}
		else if (isMaster(environment)) {
			defaults.put("logging.pattern.level", "[master] %5p");
		}
		if (!defaults.isEmpty()) {
			environment.getPropertySources().addLast(new MapPropertySource(DEFAULTS_SOURCE, defaults));
		}
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
