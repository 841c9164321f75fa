package io.jproc;

import java.lang.reflect.Constructor;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deadlines that follow from {@code jproc.drain-timeout}, and its default written in
 * one place.
 */
class JprocPropertiesDeadlineTests {

	private static final String LABEL = "jproc.worker.label";

	private String savedLabel;

	@BeforeEach
	void saveLabel() {
		this.savedLabel = System.getProperty(LABEL);
	}

	@AfterEach
	void restoreLabel() {
		if (this.savedLabel != null) {
			System.setProperty(LABEL, this.savedLabel);
		}
		else {
			System.clearProperty(LABEL);
		}
	}

	@Test
	void drainTimeoutDefaultIsTheConstant() {
		assertThat(bind(Map.of()).getDrainTimeout()).isSameAs(JprocProperties.DEFAULT_DRAIN_TIMEOUT)
			.isEqualTo(Duration.ofSeconds(30));
	}

	@Test
	void workerKillDeadlineIsSettlePlusDrainPlusGrace() {
		assertThat(bind(Map.of()).workerKillDeadline()).isEqualTo(Duration.ofMillis(38_250));
		assertThat(bind(Map.of("jproc.drain-timeout", "2s")).workerKillDeadline())
			.isEqualTo(JprocProperties.DRAIN_SETTLE.plusSeconds(2)
				.plus(JprocProperties.DEFAULT_LONG_LIVED_GRACE)
				.plus(JprocProperties.LONG_LIVED_CLOSE)
				.plus(JprocProperties.SHUTDOWN_GRACE));
	}

	@Test
	void shutdownTimeoutWhenUnsetShouldFollowTheDrain() {
		assertThat(bind(Map.of()).getShutdownTimeout()).isEqualTo(Duration.ofMillis(38_250));
		assertThat(bind(Map.of("jproc.drain-timeout", "1m")).getShutdownTimeout()).isEqualTo(Duration.ofMillis(68_250));
		assertThat(new JprocProperties().getShutdownTimeout()).as("not bound")
			.isEqualTo(JprocProperties.DEFAULT_DRAIN_TIMEOUT.plus(JprocProperties.DRAIN_SETTLE)
				.plus(JprocProperties.DEFAULT_LONG_LIVED_GRACE)
				.plus(JprocProperties.LONG_LIVED_CLOSE)
				.plus(JprocProperties.SHUTDOWN_GRACE));
	}

	@Test
	void shutdownTimeoutWhenSetShouldBeTheSetValue() {
		assertThat(bind(Map.of("jproc.shutdown-timeout", "2m")).getShutdownTimeout()).isEqualTo(Duration.ofMinutes(2));
	}

	@Test
	void workerShutdownPhaseTimeoutWhenDrainTimeoutUnsetShouldBeTheDefaultConstant() throws Exception {
		StandardEnvironment environment = processAsWorker(Map.of());
		assertThat(Binder.get(environment).bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class).get())
			.isEqualTo(JprocProperties.DEFAULT_DRAIN_TIMEOUT);
	}

	@Test
	void workerShutdownPhaseTimeoutShouldFollowDrainTimeout() throws Exception {
		StandardEnvironment environment = processAsWorker(Map.of("jproc.drain-timeout", "7s"));
		assertThat(Binder.get(environment).bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class).get())
			.isEqualTo(Duration.ofSeconds(7));
	}

	private static StandardEnvironment processAsWorker(Map<String, Object> properties) throws Exception {
		Map<String, Object> variables = new HashMap<>(properties);
		variables.put(WorkerEnvironment.ROLE, "worker");
		variables.put(WorkerEnvironment.WORKER_ID, "1");
		variables.put(WorkerEnvironment.WORKER_NUMBER, "1");
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().addFirst(new MapPropertySource("test", variables));
		// The constructor that leaves this JVM's SIGINT alone is package-private.
		Constructor<?> constructor = Class.forName("io.jproc.worker.WorkerEnvironmentPostProcessor")
			.getDeclaredConstructor(boolean.class);
		constructor.setAccessible(true);
		((EnvironmentPostProcessor) constructor.newInstance(false)).postProcessEnvironment(environment,
				new SpringApplication());
		return environment;
	}

	private static JprocProperties bind(Map<String, String> values) {
		Map<String, String> all = new HashMap<>(values);
		all.putIfAbsent("jproc.workers", "2");
		return new Binder(new MapConfigurationPropertySource(all)).bindOrCreate(JprocProperties.PREFIX,
				JprocProperties.class);
	}

}
