package io.jproc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import jnr.ffi.LibraryLoader;
import jnr.ffi.types.size_t;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Gives the C heap's free memory back to the kernel now and then
 * ({@code jproc.native-heap-trim-interval}), in the master and in every worker. glibc's
 * {@code malloc} keeps what the JVM frees (the JIT compilers' arenas, class loading's
 * transient buffers, start-up's peaks) in its arenas instead of returning it, so a JVM's
 * resident memory stays at its start-up and warm-up peak: measured on a worker of a pool
 * of 4 after load (JDK 17, 2026-12-06), {@code malloc_trim(3)} gave back 30 to 47 MB of
 * some 200, and 3 MB of the lean master's 63. The JDK can do this itself
 * ({@code -XX:TrimNativeHeapInterval}) only from 17.0.9 and 21.0.1 on, and an option a
 * JVM does not know stops it from starting, so jproc calls {@code malloc_trim} through
 * jnr-ffi, which every JDK 17 and later runs.
 * <p>
 * Not glibc (musl, another system): {@code malloc_trim} is missing and nothing is done.
 */
public final class NativeHeapTrimmer {

	private static final Log logger = LogFactory.getLog(NativeHeapTrimmer.class);

	private final Supplier<String> label;

	private final Duration interval;

	private final @Nullable Trim trim;

	private final LongSupplier residentBytes;

	private @Nullable ScheduledExecutorService executor;

	private volatile long trims;

	private volatile long released;

	/**
	 * A trimmer of this process's C heap.
	 * @param label what starts this process's log lines, such as {@code worker 2} (a
	 * spare's changes when it takes a slot)
	 * @param interval the time between two trims, {@link Duration#ZERO} for none
	 */
	public NativeHeapTrimmer(Supplier<String> label, Duration interval) {
		this(label, interval, loadTrim(), NativeHeapTrimmer::residentBytes);
	}

	NativeHeapTrimmer(Supplier<String> label, Duration interval, @Nullable Trim trim, LongSupplier residentBytes) {
		this.label = label;
		this.interval = interval;
		this.trim = trim;
		this.residentBytes = residentBytes;
	}

	/**
	 * Trim every interval, the first time one interval from now, on a daemon thread of
	 * its own. Does nothing when the interval is zero or the C library cannot trim.
	 * @return this trimmer
	 */
	public synchronized NativeHeapTrimmer start() {
		if (this.interval.isZero() || this.interval.isNegative() || this.executor != null) {
			return this;
		}
		if (this.trim == null) {
			logger.debug(this.label.get()
					+ ": the C library has no malloc_trim (not glibc); the native heap is not trimmed");
			return this;
		}
		ScheduledExecutorService started = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "jproc-heap-trim");
			thread.setDaemon(true);
			thread.setPriority(Thread.MIN_PRIORITY);
			return thread;
		});
		long millis = this.interval.toMillis();
		started.scheduleWithFixedDelay(this::trimOnce, millis, millis, TimeUnit.MILLISECONDS);
		this.executor = started;
		return this;
	}

	/**
	 * Trim now, logging the first trim and any later one that gives back more than 1 MB.
	 * @return the bytes of resident memory given back (0 if none, or unknown)
	 */
	long trimOnce() {
		Trim current = this.trim;
		if (current == null) {
			return 0;
		}
		try {
			long before = this.residentBytes.getAsLong();
			long started = System.nanoTime();
			current.malloc_trim(0);
			long took = System.nanoTime() - started;
			long after = this.residentBytes.getAsLong();
			long freed = (before > 0 && after > 0) ? Math.max(0, before - after) : 0;
			long count = ++this.trims;
			this.released += freed;
			if (count == 1 || freed > (1 << 20)) {
				String line = this.label.get() + ": native heap trimmed, resident " + (before >> 20) + " MB -> "
						+ (after >> 20) + " MB in " + TimeUnit.NANOSECONDS.toMillis(took)
						+ " ms (jproc.native-heap-trim-interval=" + PropertyChecks.format(this.interval) + ")";
				if (count == 1) {
					logger.info(line);
				}
				else {
					logger.debug(line);
				}
			}
			return freed;
		}
		catch (RuntimeException | LinkageError ex) {
			logger.warn(this.label.get() + ": trimming the native heap failed, not trying again: " + ex);
			stop();
			return 0;
		}
	}

	/**
	 * How often this trimmer has trimmed.
	 * @return the count
	 */
	public long trims() {
		return this.trims;
	}

	/**
	 * Resident memory given back by all trims so far.
	 * @return the bytes
	 */
	public long released() {
		return this.released;
	}

	/**
	 * Stop trimming.
	 */
	public synchronized void stop() {
		ScheduledExecutorService current = this.executor;
		if (current != null) {
			current.shutdownNow();
		}
	}

	/**
	 * This process's resident memory, from {@code /proc/self/status}.
	 * @return the bytes, or 0 when unknown
	 */
	static long residentBytes() {
		try {
			List<String> lines = Files.readAllLines(Path.of("/proc/self/status"));
			for (String line : lines) {
				if (line.startsWith("VmRSS:")) {
					String[] fields = line.trim().split("\\s+");
					return Long.parseLong(fields[1]) * 1024;
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// Not Linux: unknown.
		}
		return 0;
	}

	private static @Nullable Trim loadTrim() {
		if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
			return null;
		}
		try {
			Trim trim = LibraryLoader.create(Trim.class).failImmediately().load("c");
			return trim;
		}
		catch (RuntimeException | LinkageError ex) {
			return null;
		}
	}

	/** glibc's {@code malloc_trim(3)}. */
	public interface Trim {

		/**
		 * Give the free memory at the top of the heap and in the arenas back to the
		 * kernel.
		 * @param pad bytes to leave untrimmed at the top of the heap
		 * @return 1 if memory was given back, 0 if not
		 */
		int malloc_trim(@size_t long pad);

	}

}
