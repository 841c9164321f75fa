package io.jproc.master.process;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CpuPriority}: whether a niced spare can be raised back, from the texts
 * of {@code /proc/self/status} and {@code /proc/self/limits}, and renicing every thread.
 */
class CpuPriorityTests {

	private static final String LIMITS = "Limit                     Soft Limit           Hard Limit           Units\n"
			+ "Max processes             unlimited            unlimited            processes\n"
			+ "Max nice priority         %s                    %s\n";

	@Test
	void capSysNiceAllowsRaisingBack() {
		assertThat(CpuPriority.canRaiseBack("Name:\tjava\nCapEff:\t00000000a80425fb\n", LIMITS.formatted(0, 0), 0))
			.as("Docker's default capabilities lack CAP_SYS_NICE")
			.isFalse();
		assertThat(CpuPriority.canRaiseBack("Name:\tjava\nCapEff:\t000001ffffffffff\n", LIMITS.formatted(0, 0), 0))
			.isTrue();
	}

	@Test
	void rlimitNiceDecidesWithoutTheCapability() {
		String status = "CapEff:\t0000000000000000\n";
		assertThat(CpuPriority.canRaiseBack(status, LIMITS.formatted(20, 20), 0)).isTrue();
		assertThat(CpuPriority.canRaiseBack(status, LIMITS.formatted(19, 20), 0)).isFalse();
		assertThat(CpuPriority.canRaiseBack(status, LIMITS.formatted(10, 20), 10)).isTrue();
		assertThat(CpuPriority.canRaiseBack(status, LIMITS.formatted("unlimited", "unlimited"), 0)).isTrue();
		assertThat(CpuPriority.canRaiseBack(null, null, 0)).isFalse();
	}

	@Test
	void reniceSetsEveryThreadOfTheProcess() {
		AtomicInteger calls = new AtomicInteger();
		int threads = Thread.activeCount();
		int failed = CpuPriority.renice(ProcessHandle.current().pid(), 0, (tid, nice) -> {
			calls.incrementAndGet();
			return 0;
		});
		assertThat(failed).isZero();
		// Two passes over /proc/<pid>/task, which lists the JVM's own threads too.
		assertThat(calls.get()).isGreaterThanOrEqualTo(2 * threads);
		assertThat(CpuPriority.renice(ProcessHandle.current().pid(), 0, (tid, nice) -> 1)).isPositive();
		assertThat(CpuPriority.ownNice()).isBetween(-20, 19);
	}

}
