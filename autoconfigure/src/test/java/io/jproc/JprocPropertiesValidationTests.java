package io.jproc;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * One test per rule of {@link JprocProperties#validate()}: each wrong value is refused
 * with its full key and the values it allows. Every test sets one wrong value on top of
 * the defaults of a pool of 2 workers, which pass.
 */
class JprocPropertiesValidationTests {

	@Test
	void validateWhenDefaultsShouldPass() {
		bind(Map.of()).validate(OptionalLong.of(64L << 30));
	}

	@Test
	void validateWhenEveryBoundIsAtItsLimitShouldPass() {
		Map<String, String> limits = new HashMap<>();
		limits.put("jproc.backlog", "65535");
		limits.put("jproc.drain-timeout", "1d");
		limits.put("jproc.replace-timeout", "1d");
		limits.put("jproc.shutdown-timeout", "2d");
		limits.put("jproc.worker.boot-timeout", "1s");
		limits.put("jproc.worker.max-booting", "256");
		limits.put("jproc.max-workers", "256");
		limits.put("jproc.restart.initial-backoff", "1h");
		limits.put("jproc.restart.max-backoff", "1h");
		limits.put("jproc.restart.min-uptime", "0s");
		limits.put("jproc.restart.window", "1d");
		limits.put("jproc.restart.max-restarts", "10000");
		limits.put("jproc.restart.max-boot-failures", "1");
		limits.put("jproc.heartbeat.interval", "100ms");
		limits.put("jproc.heartbeat.timeout", "1d");
		limits.put("jproc.recycle.max-requests", "1000000000000");
		limits.put("jproc.recycle.max-requests-jitter", "1000000000000");
		limits.put("jproc.recycle.max-heap", "16MB");
		limits.put("jproc.recycle.max-age", "1m");
		limits.put("jproc.recycle.max-parallel", "256");
		limits.put("jproc.reload.max-parallel", "256");
		limits.put("jproc.reload.ready-timeout", "1s");
		limits.put("jproc.ipc.request-timeout", "1h");
		limits.put("jproc.ipc.scrape-timeout", "1ms");
		limits.put("jproc.health.max-age", "1m");
		limits.put("jproc.health.timeout", "1h");
		limits.put("jproc.messaging.max-payload", "4MB");
		limits.put("jproc.messaging.queue-capacity", "1000000");
		limits.put("jproc.messaging.revoke-timeout", "1h");
		limits.put("jproc.boot-cache.training-requests", "100000");
		limits.put("jproc.warmup.requests", "1000000");
		limits.put("jproc.warmup.concurrency", "64");
		limits.put("jproc.warmup.timeout", "999ms");
		bind(limits).validate(OptionalLong.empty());
	}

	// The pool: jproc.backlog, jproc.spare-workers, jproc.workers against the machine

	@Test
	void validateWhenMasterJvmArgIsNotAnOptionShouldFail() {
		assertInvalid(Map.of("jproc.master.jvm-args[0]", "-Xmx128m", "jproc.master.jvm-args[1]", "Xmx128m"),
				"jproc.master.jvm-args", "one JVM option starting with '-'");
	}

	@Test
	void validateWhenWorkerJvmArgsHoldTwoOptionsInOneEntryShouldFail() {
		assertInvalid(Map.of("jproc.worker.jvm-args", "-XX:InitialHeapSize=48m -XX:NewSize=32m"),
				"jproc.worker.jvm-args", "holds a second after a space ('-XX:NewSize=32m')",
				"-XX:InitialHeapSize=48m,-XX:NewSize=32m");
		assertInvalid(Map.of("jproc.worker.jvm-args[0]", "-Xmx1g -Dx=1"), "jproc.worker.jvm-args", "('-Dx=1')");
		assertInvalid(Map.of("jproc.worker.jvm-args[0]", "Xmx1g"), "jproc.worker.jvm-args",
				"one JVM option starting with '-'");
		assertInvalid(Map.of("jproc.master.jvm-args[0]", "-Xms8m --add-opens=java.base/java.lang=ALL-UNNAMED"),
				"jproc.master.jvm-args", "holds a second after a space");
	}

	@Test
	void validateWhenWorkerJvmArgsHaveSpacesInsideOneOptionShouldPass() {
		bind(Map.of("jproc.worker.jvm-args[0]", "-XX:OnOutOfMemoryError=kill -9 %p", "jproc.worker.jvm-args[1]",
				"-Dgreeting=hello world", "jproc.worker.jvm-args[2]", "-Xmx512m"))
			.validate(OptionalLong.empty());
	}

	@Test
	void validateWhenMasterJvmArgsAreOptionsShouldPass() {
		bind(Map.of("jproc.master.jvm-args", "-Xmx128m,-XX:NativeMemoryTracking=summary", "jproc.master.lean", "false"))
			.validate(OptionalLong.empty());
	}

	@Test
	void validateWhenBacklogIsAbove65535ShouldFail() {
		assertInvalid("jproc.backlog", "65536", "from 1 to 65535");
	}

	@Test
	void validateWhenSpareWorkersIsNegativeShouldFail() {
		assertInvalid("jproc.spare-workers", "-1", "from 0 to 256");
	}

	@Test
	void validateWhenSpareWorkersDoNotFitInTheMachineShouldFail() {
		// 1000MB: room for 10 JVMs; 2 workers and the master leave 7 spares.
		JprocProperties properties = bind(Map.of("jproc.spare-workers", "8"));
		assertThatExceptionOfType(InvalidConfigurationPropertyValueException.class)
			.isThrownBy(() -> properties.validate(OptionalLong.of(1000L << 20)))
			.satisfies((ex) -> assertThat(ex.getName()).isEqualTo("jproc.spare-workers"))
			.withMessageContaining("must be a whole number from 0 to 7 with jproc.workers=2")
			.withMessageContaining("1000MB of memory, room for 10 JVMs at 100MB each");
		bind(Map.of("jproc.spare-workers", "7")).validate(OptionalLong.of(1000L << 20));
	}

	@Test
	void validateWhenWorkersDoNotFitInTheMachineShouldFail() {
		JprocProperties properties = bind(Map.of("jproc.workers", "10"));
		assertThatExceptionOfType(InvalidConfigurationPropertyValueException.class)
			.isThrownBy(() -> properties.validate(OptionalLong.of(1000L << 20)))
			.satisfies((ex) -> assertThat(ex.getName()).isEqualTo("jproc.workers"))
			.withMessageContaining("must be a whole number from 0 to 9 (0 turns jproc off)")
			.withMessageContaining("room for 10 JVMs");
		bind(Map.of("jproc.workers", "9")).validate(OptionalLong.of(1000L << 20));
	}

	@Test
	void validateWhenMaxWorkersIsZeroShouldFail() {
		assertInvalid("jproc.max-workers", "0", "from 1 to 256");
	}

	@Test
	void validateWhenMaxWorkersIsAbove256ShouldFail() {
		assertInvalid("jproc.max-workers", "257", "from 1 to 256");
	}

	@Test
	void validateWhenWorkersAreAboveMaxWorkersShouldFail() {
		assertInvalid(Map.of("jproc.workers", "3", "jproc.max-workers", "2"), "jproc.workers",
				"must be a whole number from 0 to 2, jproc.max-workers");
		bind(Map.of("jproc.workers", "2", "jproc.max-workers", "2")).validate(OptionalLong.empty());
	}

	@Test
	void validateWhenMaxWorkersDoNotFitInTheMachineShouldFail() {
		// 1000MB: room for 10 JVMs; one spare and the master leave 8 workers.
		JprocProperties properties = bind(Map.of("jproc.max-workers", "9", "jproc.spare-workers", "1"));
		assertThatExceptionOfType(InvalidConfigurationPropertyValueException.class)
			.isThrownBy(() -> properties.validate(OptionalLong.of(1000L << 20)))
			.satisfies((ex) -> assertThat(ex.getName()).isEqualTo("jproc.max-workers"))
			.withMessageContaining("must be a whole number from 2 to 8 with jproc.spare-workers=1")
			.withMessageContaining("room for 10 JVMs");
		bind(Map.of("jproc.max-workers", "8", "jproc.spare-workers", "1")).validate(OptionalLong.of(1000L << 20));
	}

	@Test
	void workerCapWhenMaxWorkersIsUnsetShouldBeFourPerProcessorOrTheWorkersOrWhatTheMemoryHolds() {
		assertThat(bind(Map.of()).workerCap(2, OptionalLong.empty()))
			.isEqualTo(new WorkerCap(8, "the default of jproc.max-workers: 4 x 2 processors"));
		assertThat(bind(Map.of("jproc.workers", "12")).workerCap(2, OptionalLong.empty()))
			.isEqualTo(new WorkerCap(12, "the default of jproc.max-workers: jproc.workers"));
		assertThat(bind(Map.of()).workerCap(128, OptionalLong.empty()).value()).isEqualTo(256);
		WorkerCap memory = bind(Map.of("jproc.spare-workers", "1")).workerCap(4, OptionalLong.of(1000L << 20));
		assertThat(memory.value()).isEqualTo(8);
		assertThat(memory.source()).contains("what this machine's 1000MB hold at 100MB per JVM");
		assertThat(bind(Map.of("jproc.max-workers", "3")).workerCap(64, OptionalLong.of(1000L << 20)))
			.isEqualTo(new WorkerCap(3, "jproc.max-workers=3"));
	}

	@Test
	void validateWhenMachineMemoryIsUnknownShouldNotCheckThePoolSize() {
		bind(Map.of("jproc.workers", "256", "jproc.spare-workers", "256")).validate(OptionalLong.empty());
	}

	// Deadlines: jproc.drain-timeout, jproc.replace-timeout, jproc.shutdown-timeout

	@Test
	void validateWhenDrainTimeoutIsZeroShouldFail() {
		assertInvalid("jproc.drain-timeout", "0s", "from 1ms to 1d");
	}

	@Test
	void validateWhenDrainTimeoutIsNegativeShouldFail() {
		assertInvalid("jproc.drain-timeout", "-5s", "from 1ms to 1d");
	}

	@Test
	void validateWhenDrainTimeoutIsAboveOneDayShouldFail() {
		assertInvalid("jproc.drain-timeout", "25h", "from 1ms to 1d");
	}

	@Test
	void validateWhenLongLivedGraceIsNegativeShouldFail() {
		assertInvalid("jproc.long-lived-grace", "-1s", "from 0s to 1h");
	}

	@Test
	void validateWhenLongLivedGraceIsAboveOneHourShouldFail() {
		assertInvalid("jproc.long-lived-grace", "61m", "from 0s to 1h");
	}

	@Test
	void validateWhenNativeHeapTrimIntervalIsBelowOneSecondShouldFail() {
		assertInvalid("jproc.native-heap-trim-interval", "500ms",
				"must be 0 (no trimming) or a duration from 1s to 1d");
		assertInvalid("jproc.native-heap-trim-interval", "-1s", "must be 0 (no trimming)");
		assertInvalid("jproc.native-heap-trim-interval", "2d", "from 1s to 1d");
	}

	@Test
	void validateWhenNativeHeapTrimIntervalIsZeroOrInRangeShouldPass() {
		for (String value : new String[] { "0", "1s", "10s", "1d" }) {
			JprocProperties properties = bind(Map.of("jproc.native-heap-trim-interval", value));
			properties.validate(OptionalLong.empty());
		}
	}

	@Test
	void validateWhenBalanceMaxExcessIsZeroShouldFail() {
		assertInvalid("jproc.balance.max-excess", "0", "from 1 to 1000000");
	}

	@Test
	void workerKillDeadlineShouldIncludeTheLongLivedGrace() {
		JprocProperties properties = bind(Map.of("jproc.drain-timeout", "10s", "jproc.long-lived-grace", "3s"));
		assertThat(properties.workerKillDeadline()).isEqualTo(Duration.ofMillis(250 + 3000 + 2000 + 10000 + 5000));
	}

	@Test
	void validateWhenReplaceTimeoutIsNegativeShouldFail() {
		assertInvalid("jproc.replace-timeout", "-1s", "from 1ms to 1d");
	}

	@Test
	void validateWhenShutdownTimeoutEqualsDrainTimeoutShouldFail() {
		JprocProperties properties = bind(Map.of("jproc.shutdown-timeout", "30s", "jproc.drain-timeout", "30s"));
		assertThatExceptionOfType(InvalidConfigurationPropertyValueException.class)
			.isThrownBy(() -> properties.validate(OptionalLong.empty()))
			.satisfies((ex) -> assertThat(ex.getName()).isEqualTo("jproc.shutdown-timeout"))
			.withMessageContaining("value '30s'")
			.withMessageContaining("must be a duration from 38250ms to 2d")
			.withMessageContaining("jproc.drain-timeout (30s) + 250ms of settling + jproc.long-lived-grace (1s) + 2s")
			.withMessageContaining("leave jproc.shutdown-timeout unset");
	}

	@Test
	void validateWhenShutdownTimeoutIsShorterThanALongerDrainShouldFail() {
		JprocProperties properties = bind(Map.of("jproc.shutdown-timeout", "1m", "jproc.drain-timeout", "2m"));
		assertThatExceptionOfType(InvalidConfigurationPropertyValueException.class)
			.isThrownBy(() -> properties.validate(OptionalLong.empty()))
			.satisfies((ex) -> assertThat(ex.getName()).isEqualTo("jproc.shutdown-timeout"))
			.withMessageContaining("value '1m'")
			.withMessageContaining("jproc.drain-timeout (2m)")
			.withMessageContaining("from 128250ms to 2d");
	}

	@Test
	void validateWhenShutdownTimeoutCoversTheDrainShouldPass() {
		bind(Map.of("jproc.shutdown-timeout", "38250ms")).validate(OptionalLong.empty());
		bind(Map.of("jproc.shutdown-timeout", "13s", "jproc.drain-timeout", "4s")).validate(OptionalLong.empty());
	}

	@Test
	void validateWhenShutdownTimeoutIsAboveTwoDaysShouldFail() {
		assertInvalid("jproc.shutdown-timeout", "3d", "from 38250ms to 2d");
	}

	@Test
	void validateWhenShutdownTimeoutIsNegativeShouldFail() {
		assertInvalid("jproc.shutdown-timeout", "-1s", "from 38250ms to 2d");
	}

	// jproc.worker.*

	@Test
	void validateWhenWorkerBootTimeoutIsBelowOneSecondShouldFail() {
		assertInvalid("jproc.worker.boot-timeout", "500ms", "from 1s to 1d");
	}

	@Test
	void validateWhenWorkerBootTimeoutIsNegativeShouldFail() {
		assertInvalid("jproc.worker.boot-timeout", "-2m", "from 1s to 1d");
	}

	@Test
	void validateWhenWorkerMaxBootingIsZeroShouldFail() {
		assertInvalid("jproc.worker.max-booting", "0", "from 1 to 256");
	}

	@Test
	void validateWhenWorkerMaxBootingIsAbove256ShouldFail() {
		assertInvalid("jproc.worker.max-booting", "257", "from 1 to 256");
	}

	@Test
	void workerMaxBootingWhenUnsetShouldBeOnePerProcessor() {
		assertThat(bind(Map.of()).getWorker().maxBooting()).isEqualTo(Runtime.getRuntime().availableProcessors());
		assertThat(bind(Map.of("jproc.worker.max-booting", "3")).getWorker().maxBooting()).isEqualTo(3);
	}

	// jproc.restart.*

	@Test
	void validateWhenRestartMinUptimeIsNegativeShouldFail() {
		assertInvalid("jproc.restart.min-uptime", "-1s", "from 0s to 1d");
	}

	@Test
	void validateWhenRestartMinUptimeIsAboveOneDayShouldFail() {
		assertInvalid("jproc.restart.min-uptime", "2d", "from 0s to 1d");
	}

	@Test
	void validateWhenRestartMinUptimeIsZeroShouldPass() {
		bind(Map.of("jproc.restart.min-uptime", "0s")).validate(OptionalLong.empty());
	}

	@Test
	void validateWhenRestartInitialBackoffIsZeroShouldFail() {
		assertInvalid("jproc.restart.initial-backoff", "0ms", "from 1ms to 1h");
	}

	@Test
	void validateWhenRestartInitialBackoffIsLongerThanMaxBackoffShouldFail() {
		assertInvalid(Map.of("jproc.restart.initial-backoff", "20s"), "jproc.restart.initial-backoff",
				"from 1ms to jproc.restart.max-backoff (15s)");
	}

	@Test
	void validateWhenRestartMaxBackoffIsAboveOneHourShouldFail() {
		assertInvalid("jproc.restart.max-backoff", "2h", "from 1ms to 1h");
	}

	@Test
	void validateWhenRestartWindowIsNegativeShouldFail() {
		assertInvalid("jproc.restart.window", "-5m", "from 1ms to 1d");
	}

	@Test
	void validateWhenRestartMaxRestartsIsZeroShouldFail() {
		assertInvalid("jproc.restart.max-restarts", "0", "from 1 to 10000");
	}

	@Test
	void validateWhenRestartMaxBootFailuresIsAbove10000ShouldFail() {
		assertInvalid("jproc.restart.max-boot-failures", "10001", "from 1 to 10000");
	}

	// jproc.heartbeat.*

	@Test
	void validateWhenHeartbeatIntervalIsBelow100msShouldFail() {
		assertInvalid("jproc.heartbeat.interval", "10ms", "from 100ms to 1h");
	}

	@Test
	void validateWhenHeartbeatIntervalIsNegativeShouldFail() {
		assertInvalid("jproc.heartbeat.interval", "-5s", "from 100ms to 1h");
	}

	@Test
	void validateWhenHeartbeatTimeoutIsAboveOneDayShouldFail() {
		assertInvalid("jproc.heartbeat.timeout", "2d", "from 1ms to 1d");
	}

	@Test
	void validateWhenHeartbeatTimeoutIsNotLongerThanIntervalShouldFail() {
		assertInvalid(Map.of("jproc.heartbeat.interval", "10s", "jproc.heartbeat.timeout", "10s"),
				"jproc.heartbeat.timeout", "must be longer than jproc.heartbeat.interval (10s)");
	}

	// jproc.recycle.*

	@Test
	void validateWhenRecycleMaxAgeIsZeroShouldFail() {
		assertInvalid("jproc.recycle.max-age", "0s", "from 1m to 365d", "or unset (no age trigger)");
	}

	@Test
	void validateWhenRecycleMaxAgeIsNegativeShouldFail() {
		assertInvalid("jproc.recycle.max-age", "-1h", "from 1m to 365d");
	}

	@Test
	void validateWhenRecycleMaxAgeIsBelowOneMinuteShouldFail() {
		assertInvalid("jproc.recycle.max-age", "59s", "from 1m to 365d");
	}

	@Test
	void validateWhenRecycleMaxAgeIsAboveOneYearShouldFail() {
		assertInvalid("jproc.recycle.max-age", "366d", "from 1m to 365d");
	}

	@Test
	void validateWhenRecycleMaxAgeIsNotLongerThanHeartbeatIntervalShouldFail() {
		assertInvalid(Map.of("jproc.recycle.max-age", "2m", "jproc.heartbeat.interval", "2m", "jproc.heartbeat.timeout",
				"5m"), "jproc.recycle.max-age", "must be longer than jproc.heartbeat.interval (2m)");
	}

	@Test
	void validateWhenRecycleMaxHeapIsBelow16MBShouldFail() {
		assertInvalid("jproc.recycle.max-heap", "512", "from 16MB to 1TB", "or unset (no heap trigger)");
	}

	@Test
	void validateWhenRecycleMaxHeapIsAboveOneTerabyteShouldFail() {
		assertInvalid("jproc.recycle.max-heap", "2TB", "from 16MB to 1TB");
	}

	@Test
	void validateWhenRecycleMaxHeapIsNegativeShouldFail() {
		assertInvalid("jproc.recycle.max-heap", "-1MB", "from 16MB to 1TB");
	}

	@Test
	void validateWhenRecycleMaxRequestsIsNegativeShouldFail() {
		assertInvalid("jproc.recycle.max-requests", "-1", "from 0 to 1000000000000");
	}

	@Test
	void validateWhenRecycleMaxRequestsJitterIsAboveItsLimitShouldFail() {
		// Long.MAX_VALUE made the jitter's draw throw (nextLong(bound + 1) overflows).
		assertInvalid("jproc.recycle.max-requests-jitter", Long.toString(Long.MAX_VALUE), "from 0 to 1000000000000");
	}

	@Test
	void validateWhenRecycleMaxParallelIsZeroShouldFail() {
		assertInvalid("jproc.recycle.max-parallel", "0", "from 1 to 256");
	}

	// jproc.reload.*

	@Test
	void validateWhenReloadMaxParallelIsAbove256ShouldFail() {
		assertInvalid("jproc.reload.max-parallel", "257", "from 1 to 256");
	}

	@Test
	void validateWhenReloadReadyTimeoutIsBelowOneSecondShouldFail() {
		assertInvalid("jproc.reload.ready-timeout", "0s", "from 1s to 1d");
	}

	// jproc.ipc.*

	@Test
	void validateWhenIpcRequestTimeoutIsAboveOneHourShouldFail() {
		assertInvalid("jproc.ipc.request-timeout", "2h", "from 1ms to 1h");
	}

	@Test
	void validateWhenIpcScrapeTimeoutIsNegativeShouldFail() {
		assertInvalid("jproc.ipc.scrape-timeout", "-1s", "from 1ms to 1h");
	}

	@Test
	void validateWhenIpcScrapeTimeoutIsNotShorterThanRequestTimeoutShouldFail() {
		assertInvalid(Map.of("jproc.ipc.scrape-timeout", "5s"), "jproc.ipc.scrape-timeout",
				"shorter than jproc.ipc.request-timeout (5s)");
	}

	// jproc.health.*

	@Test
	void validateWhenHealthMaxAgeIsNegativeShouldFail() {
		assertInvalid("jproc.health.max-age", "-1ms", "from 0s to 1m");
	}

	@Test
	void validateWhenHealthMaxAgeIsOverAMinuteShouldFail() {
		assertInvalid("jproc.health.max-age", "61s", "from 0s to 1m");
	}

	@Test
	void validateWhenHealthMaxAgeIsZeroShouldPass() {
		bind(Map.of("jproc.health.max-age", "0s")).validate(OptionalLong.empty());
	}

	@Test
	void validateWhenHealthTimeoutIsZeroShouldFail() {
		assertInvalid("jproc.health.timeout", "0ms", "from 1ms to 1h");
	}

	@Test
	void validateWhenHealthTimeoutIsLongerThanRequestTimeoutShouldFail() {
		assertInvalid(Map.of("jproc.health.timeout", "6s"), "jproc.health.timeout",
				"from 1ms to jproc.ipc.request-timeout (5s)");
	}

	// jproc.messaging.*

	@Test
	void validateWhenMessagingMaxPayloadIsZeroShouldFail() {
		assertInvalid("jproc.messaging.max-payload", "0B", "from 1B to 4MB");
	}

	@Test
	void validateWhenMessagingQueueCapacityIsAboveOneMillionShouldFail() {
		assertInvalid("jproc.messaging.queue-capacity", "1000001", "from 1 to 1000000");
	}

	@Test
	void validateWhenMessagingRevokeTimeoutIsZeroShouldFail() {
		assertInvalid("jproc.messaging.revoke-timeout", "0s", "from 1ms to 1h");
	}

	// jproc.boot-cache.*

	@Test
	void validateWhenBootCacheTrainingRequestsIsAbove100000ShouldFail() {
		assertInvalid("jproc.boot-cache.training-requests", "100001", "from 0 to 100000");
	}

	@Test
	void validateWhenBootCacheTrainingPathIsNotAPathShouldFail() {
		assertInvalid("jproc.boot-cache.training-paths", "api", "every path must start with '/'");
	}

	// jproc.warmup.*

	@Test
	void validateWhenWarmupRequestsIsNegativeShouldFail() {
		assertInvalid("jproc.warmup.requests", "-5", "from 0 to 1000000");
	}

	@Test
	void validateWhenWarmupConcurrencyIsAbove64ShouldFail() {
		assertInvalid("jproc.warmup.concurrency", "65", "from 1 to 64");
	}

	@Test
	void validateWhenWarmupTimeoutIsZeroShouldFail() {
		assertInvalid("jproc.warmup.timeout", "0s", "from 1ms to 1d");
	}

	@Test
	void validateWhenWarmupPathIsNotAPathShouldFail() {
		assertInvalid("jproc.warmup.paths", "api", "every path must start with '/'");
	}

	@Test
	void validateWhenWarmupIsOnWithoutPathsShouldFail() {
		assertInvalid(Map.of("jproc.warmup.requests", "10", "jproc.warmup.paths", ""), "jproc.warmup.paths",
				"must name at least one path");
	}

	@Test
	void validateWhenWarmupTimeoutIsNotShorterThanBootTimeoutShouldFail() {
		assertInvalid(Map.of("jproc.warmup.requests", "10", "jproc.warmup.timeout", "2m"), "jproc.warmup.timeout",
				"shorter than jproc.worker.boot-timeout (2m)");
	}

	@Test
	void validateWhenWarmupIsOffShouldNotRelateItsTimeoutToBootTimeout() {
		bind(Map.of("jproc.warmup.requests", "0", "jproc.warmup.timeout", "2m")).validate(OptionalLong.empty());
	}

	private static void assertInvalid(String key, String value, String... allowed) {
		assertInvalid(Map.of(key, value), key, allowed);
	}

	private static void assertInvalid(Map<String, String> values, String key, String... fragments) {
		JprocProperties properties = bind(values);
		assertThatExceptionOfType(InvalidConfigurationPropertyValueException.class)
			.isThrownBy(() -> properties.validate(OptionalLong.empty()))
			.satisfies((ex) -> {
				assertThat(ex.getName()).isEqualTo(key);
				assertThat(ex.getMessage()).contains("Property " + key + " ").contains(fragments);
			});
	}

	private static JprocProperties bind(Map<String, String> values) {
		Map<String, String> all = new HashMap<>(values);
		all.putIfAbsent("jproc.workers", "2");
		return new Binder(new MapConfigurationPropertySource(all)).bindOrCreate(JprocProperties.PREFIX,
				JprocProperties.class);
	}

}
