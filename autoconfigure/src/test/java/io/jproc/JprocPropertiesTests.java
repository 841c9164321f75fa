package io.jproc;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for binding and validating {@link JprocProperties}.
 */
class JprocPropertiesTests {

	@Test
	void bindWhenAbsentShouldBeOff() {
		JprocProperties properties = bind(Map.of());
		assertThat(properties.getWorkers().enabled()).isFalse();
		properties.validate();
	}

	@Test
	void bindWhenAutoShouldUseAvailableProcessors() {
		JprocProperties properties = bind(Map.of("jproc.workers", "auto"));
		assertThat(properties.getWorkers().value()).isEqualTo(Runtime.getRuntime().availableProcessors());
		assertThat(properties.getWorkers().auto()).isTrue();
	}

	@Test
	void bindWhenYamlIntegerShouldConvert() {
		assertThat(bind(Map.of("jproc.workers", 4)).getWorkers().value()).isEqualTo(4);
		assertThat(bind(Map.of("jproc.workers", " 3 ")).getWorkers().value()).isEqualTo(3);
	}

	@Test
	void bindWhenNegativeShouldNameKeyAndAllowedValues() {
		assertThatExceptionOfType(BindException.class).isThrownBy(() -> bind(Map.of("jproc.workers", "-1")))
			.withMessageContaining("jproc.workers")
			.havingRootCause()
			.withMessageContaining("'auto' or a whole number from 0 to 256");
	}

	@Test
	void messagingDefaults() {
		JprocProperties properties = bind(Map.of());
		assertThat(properties.getMessaging().getMaxPayload().toBytes()).isEqualTo(1024 * 1024);
		assertThat(properties.getMessaging().getQueueCapacity()).isEqualTo(1024);
		assertThat(properties.getScheduling().isLeaderOnly()).isTrue();
	}

	@Test
	void validateWhenMaxPayloadTooLargeShouldNameKeyAndAllowedValues() {
		assertThatExceptionOfType(InvalidConfigurationPropertyValueException.class)
			.isThrownBy(() -> bind(Map.of("jproc.messaging.max-payload", "5MB")).validate())
			.withMessageContaining("jproc.messaging.max-payload")
			.withMessageContaining("from 1B to 4MB");
	}

	@Test
	void validateWhenQueueCapacityZeroShouldNameKey() {
		assertThatExceptionOfType(InvalidConfigurationPropertyValueException.class)
			.isThrownBy(() -> bind(Map.of("jproc.messaging.queue-capacity", "0")).validate())
			.withMessageContaining("jproc.messaging.queue-capacity")
			.withMessageContaining("from 1 to 1000000");
	}

	@Test
	void bindWhenAbsurdShouldNameKey() {
		assertThatExceptionOfType(BindException.class).isThrownBy(() -> bind(Map.of("jproc.workers", 100000)))
			.withMessageContaining("jproc.workers");
		assertThatExceptionOfType(BindException.class).isThrownBy(() -> bind(Map.of("jproc.workers", "many")))
			.havingRootCause()
			.withMessageContaining("was 'many'");
	}

	@Test
	void bindWhenDurationUnparsableShouldNameKey() {
		assertThatExceptionOfType(BindException.class)
			.isThrownBy(() -> bind(Map.of("jproc.workers", "2", "jproc.drain-timeout", "soon")))
			.withMessageContaining("jproc.drain-timeout");
	}

	@Test
	void bindShouldTakeNestedValues() {
		JprocProperties properties = bind(Map.of("jproc.workers", "2", "jproc.worker.jvm-args[0]", "-Xmx256m",
				"jproc.restart.max-boot-failures", "5", "jproc.heartbeat.timeout", "1m"));
		assertThat(properties.getWorker().getJvmArgs()).containsExactly("-Xmx256m");
		assertThat(properties.getRestart().getMaxBootFailures()).isEqualTo(5);
		assertThat(properties.getHeartbeat().getTimeout()).isEqualTo(Duration.ofMinutes(1));
	}

	@Test
	void validateWhenBacklogZeroShouldNameKey() {
		JprocProperties properties = bind(Map.of("jproc.workers", "2", "jproc.backlog", "0"));
		assertThatExceptionOfType(InvalidConfigurationPropertyValueException.class).isThrownBy(properties::validate)
			.satisfies((ex) -> assertThat(ex.getName()).isEqualTo("jproc.backlog"))
			.withMessageContaining("from 1 to 65535");
	}

	@Test
	void validateWhenDurationNotPositiveShouldNameKey() {
		JprocProperties properties = bind(Map.of("jproc.workers", "2", "jproc.shutdown-timeout", "0s"));
		assertThatExceptionOfType(InvalidConfigurationPropertyValueException.class).isThrownBy(properties::validate)
			.satisfies((ex) -> assertThat(ex.getName()).isEqualTo("jproc.shutdown-timeout"));
	}

	@Test
	void validateWhenHeartbeatTimeoutNotAboveIntervalShouldNameKey() {
		JprocProperties properties = bind(Map.of("jproc.heartbeat.interval", "10s", "jproc.heartbeat.timeout", "10s"));
		assertThatExceptionOfType(InvalidConfigurationPropertyValueException.class).isThrownBy(properties::validate)
			.satisfies((ex) -> assertThat(ex.getName()).isEqualTo("jproc.heartbeat.timeout"));
	}

	@Test
	void runWhenBoundAsBeanWithWrongValueShouldFailNamingTheKey() {
		new ApplicationContextRunner().withUserConfiguration(Bound.class)
			.withPropertyValues("jproc.workers=2", "jproc.reload.max-parallel=0")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("jproc.reload.max-parallel"));
	}

	@Test
	void runWhenBoundAsBeanWithoutWorkersShouldNotValidate() {
		new ApplicationContextRunner().withUserConfiguration(Bound.class)
			.withPropertyValues("jproc.reload.max-parallel=0")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void theVariablesAWorkerIsStartedWithBindToNoProperty() throws IllegalAccessException {
		// Boot binds JPROC_* environment variables to jproc.* properties: none of the
		// master's may name a property or a group of them (JPROC_BOOT_CACHE named
		// jproc.boot-cache, and every worker started from the boot cache failed).
		Map<String, Object> variables = new HashMap<>();
		for (Field field : WorkerEnvironment.class.getFields()) {
			if (Modifier.isStatic(field.getModifiers()) && field.get(null) instanceof String name
					&& name.startsWith("JPROC_")) {
				variables.put(name, "/some/value");
			}
		}
		assertThat(variables).containsKeys(WorkerEnvironment.ROLE, WorkerEnvironment.BOOT_CACHE);
		SystemEnvironmentPropertySource source = new SystemEnvironmentPropertySource(
				StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables);
		assertThat(source.containsProperty("jproc.master.pid")).as("the variables are seen as jproc.*").isTrue();
		new ApplicationContextRunner().withUserConfiguration(Bound.class)
			.withInitializer((context) -> context.getEnvironment().getPropertySources().addFirst(source))
			.withPropertyValues("jproc.workers=2")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(JprocProperties.class).getBootCache().isEnabled()).isTrue();
			});
	}

	@Test
	void bootCacheAndSizingBindWithDefaults() {
		JprocProperties properties = bind(Map.of("jproc.workers", "2", "jproc.boot-cache.dir", "/tmp/c",
				"jproc.boot-cache.training-paths", "/, /api/hello", "jproc.worker.right-size", "false"));
		assertThat(properties.getBootCache().isEnabled()).isTrue();
		assertThat(properties.getBootCache().getDir()).hasToString("/tmp/c");
		assertThat(properties.getBootCache().getTrainingPaths()).containsExactly("/", "/api/hello");
		assertThat(properties.getBootCache().getTrainingRequests()).isEqualTo(200);
		assertThat(properties.getWorker().isRightSize()).isFalse();
		properties.validate();
	}

	@Test
	void validateWhenTrainingPathIsNotAPathShouldNameKey() {
		JprocProperties properties = bind(Map.of("jproc.workers", "2", "jproc.boot-cache.training-paths", "api"));
		assertThatExceptionOfType(InvalidConfigurationPropertyValueException.class).isThrownBy(properties::validate)
			.satisfies((ex) -> assertThat(ex.getName()).isEqualTo("jproc.boot-cache.training-paths"))
			.withMessageContaining("must start with '/'");
		JprocProperties negative = bind(Map.of("jproc.workers", "2", "jproc.boot-cache.training-requests", "-1"));
		assertThatExceptionOfType(InvalidConfigurationPropertyValueException.class).isThrownBy(negative::validate)
			.satisfies((ex) -> assertThat(ex.getName()).isEqualTo("jproc.boot-cache.training-requests"));
	}

	@Test
	void validateSpareWorkersShouldNameKeyAndRange() {
		assertThat(bind(Map.of("jproc.workers", "2", "jproc.spare-workers", "3")).getSpareWorkers()).isEqualTo(3);
		for (String wrong : new String[] { "-1", "257" }) {
			JprocProperties properties = bind(Map.of("jproc.workers", "2", "jproc.spare-workers", wrong));
			assertThatExceptionOfType(InvalidConfigurationPropertyValueException.class).isThrownBy(properties::validate)
				.satisfies((ex) -> assertThat(ex.getName()).isEqualTo("jproc.spare-workers"))
				.withMessageContaining("from 0 to 256");
		}
	}

	@Test
	void validateWarmupShouldNameKeys() {
		JprocProperties on = bind(
				Map.of("jproc.workers", "2", "jproc.warmup.requests", "500", "jproc.warmup.paths", "/, /api/hello"));
		on.validate();
		assertThat(on.getWarmup().isEnabled()).isTrue();
		assertThat(on.getWarmup().getPaths()).containsExactly("/", "/api/hello");
		assertThat(new JprocProperties().getWarmup().isEnabled()).as("on by default").isTrue();
		assertThat(new JprocProperties().getWarmup().getRequests()).isEqualTo(500);
		assertThat(new JprocProperties().getWarmup().getTimeout()).isEqualTo(Duration.ofSeconds(10));
		JprocProperties off = bind(Map.of("jproc.warmup.requests", "0"));
		off.validate();
		assertThat(off.getWarmup().isEnabled()).as("0 requests turn it off").isFalse();
		Map<String, Map<String, String>> wrong = Map.of("jproc.warmup.paths", Map.of("jproc.warmup.paths", "api"),
				"jproc.warmup.requests", Map.of("jproc.warmup.requests", "-5"), "jproc.warmup.concurrency",
				Map.of("jproc.warmup.concurrency", "0"), "jproc.warmup.timeout", Map.of("jproc.warmup.timeout", "0s"));
		wrong.forEach((key, values) -> {
			Map<String, String> all = new java.util.HashMap<>(values);
			all.put("jproc.workers", "2");
			JprocProperties properties = bind(all);
			assertThatExceptionOfType(InvalidConfigurationPropertyValueException.class).isThrownBy(properties::validate)
				.satisfies((ex) -> assertThat(ex.getName()).isEqualTo(key));
		});
	}

	@Test
	void bindWhenBootCacheEnabledIsNotABooleanShouldNameKey() {
		assertThatExceptionOfType(BindException.class)
			.isThrownBy(() -> bind(Map.of("jproc.workers", "2", "jproc.boot-cache.enabled", "maybe")))
			.withMessageContaining("jproc.boot-cache.enabled");
	}

	private static JprocProperties bind(Map<String, ?> values) {
		return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate(JprocProperties.PREFIX,
				JprocProperties.class);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(JprocProperties.class)
	static class Bound {

	}

}
