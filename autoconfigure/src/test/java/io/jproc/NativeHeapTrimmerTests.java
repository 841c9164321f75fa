package io.jproc;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link NativeHeapTrimmer}: the bookkeeping with a fake C library, and one
 * real {@code malloc_trim} in this JVM.
 */
class NativeHeapTrimmerTests {

	@Test
	void countsWhatEachTrimGaveBack() {
		AtomicLong resident = new AtomicLong(200L << 20);
		AtomicInteger calls = new AtomicInteger();
		NativeHeapTrimmer trimmer = new NativeHeapTrimmer(() -> "worker 1", Duration.ofSeconds(10), (pad) -> {
			calls.incrementAndGet();
			resident.addAndGet(-(40L << 20));
			return 1;
		}, resident::get);
		assertThat(trimmer.trimOnce()).isEqualTo(40L << 20);
		assertThat(trimmer.trimOnce()).isEqualTo(40L << 20);
		assertThat(calls).hasValue(2);
		assertThat(trimmer.trims()).isEqualTo(2);
		assertThat(trimmer.released()).isEqualTo(80L << 20);
	}

	@Test
	void residentMemoryThatGrewMeanwhileCountsAsNothingGivenBack() {
		AtomicLong resident = new AtomicLong(100L << 20);
		NativeHeapTrimmer trimmer = new NativeHeapTrimmer(() -> "worker 1", Duration.ofSeconds(10), (pad) -> {
			resident.addAndGet(5L << 20);
			return 0;
		}, resident::get);
		assertThat(trimmer.trimOnce()).isZero();
		assertThat(trimmer.released()).isZero();
	}

	@Test
	void aLibraryThatFailsIsNotCalledAgain() {
		AtomicInteger calls = new AtomicInteger();
		NativeHeapTrimmer trimmer = new NativeHeapTrimmer(() -> "worker 1", Duration.ofSeconds(1), (pad) -> {
			calls.incrementAndGet();
			throw new UnsatisfiedLinkError("malloc_trim");
		}, () -> 0L).start();
		assertThat(trimmer.trimOnce()).isZero();
		assertThat(trimmer.trims()).isZero();
	}

	@Test
	void withoutMallocTrimOrWithAZeroIntervalNothingRuns() throws Exception {
		NativeHeapTrimmer none = new NativeHeapTrimmer(() -> "worker 1", Duration.ofSeconds(1), null, () -> 0L).start();
		assertThat(none.trimOnce()).isZero();
		AtomicInteger calls = new AtomicInteger();
		NativeHeapTrimmer off = new NativeHeapTrimmer(() -> "worker 1", Duration.ZERO, (pad) -> {
			calls.incrementAndGet();
			return 0;
		}, () -> 0L).start();
		Thread.sleep(50);
		assertThat(calls).hasValue(0);
		off.stop();
	}

	@Test
	void startedTrimsEveryInterval() throws Exception {
		AtomicInteger calls = new AtomicInteger();
		NativeHeapTrimmer trimmer = new NativeHeapTrimmer(() -> "worker 1", Duration.ofSeconds(1), (pad) -> {
			calls.incrementAndGet();
			return 0;
		}, () -> 0L).start();
		try {
			long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			while (calls.get() < 2 && System.nanoTime() < deadline) {
				Thread.sleep(50);
			}
			assertThat(calls.get()).as("trims within 10 s at an interval of 1 s").isGreaterThanOrEqualTo(2);
		}
		finally {
			trimmer.stop();
		}
	}

	@Test
	@EnabledOnOs(OS.LINUX)
	void realMallocTrimRunsInThisJvm() {
		NativeHeapTrimmer trimmer = new NativeHeapTrimmer(() -> "test", Duration.ofSeconds(10));
		// Free memory that glibc may keep: many small direct allocations and their
		// release.
		for (int i = 0; i < 2_000; i++) {
			java.nio.ByteBuffer.allocateDirect(16 * 1024);
		}
		System.gc();
		assertThat(trimmer.trimOnce()).isNotNegative();
		assertThat(trimmer.trims()).as("malloc_trim was found and called").isEqualTo(1);
		assertThat(NativeHeapTrimmer.residentBytes()).isPositive();
	}

}
