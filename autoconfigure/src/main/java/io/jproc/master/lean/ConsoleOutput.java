package io.jproc.master.lean;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

import org.jspecify.annotations.Nullable;

/**
 * The lean master's standard output, written by a thread of its own so that no thread of
 * the master waits on it. The workers share that output: when its reader stops taking (a
 * pipe to a slow or stopped consumer, a terminal held by Ctrl-S, a log driver on a full
 * disk), a flood of worker lines fills it and every write blocks. The master's loop logs
 * as it supervises, and must go on: lines wait in a bounded queue, those that do not fit
 * are counted and dropped, and a line saying how many is written once the output takes
 * lines again.
 */
final class ConsoleOutput {

	/** Lines held while the output takes none: about 1 MB of log lines. */
	static final int CAPACITY = 4096;

	private static final int BATCH = 256;

	private final PrintStream out;

	private final BlockingQueue<String> lines;

	private final LongFunction<String> droppedNotice;

	private final AtomicLong dropped = new AtomicLong();

	/** Lines queued and not written yet, the one being written included. */
	private final AtomicLong pending = new AtomicLong();

	private @Nullable Thread writer;

	/**
	 * An output in front of a stream.
	 * @param out where lines go
	 * @param capacity how many lines wait at most
	 * @param droppedNotice the line (or lines) telling how many were dropped
	 */
	ConsoleOutput(PrintStream out, int capacity, LongFunction<String> droppedNotice) {
		this.out = out;
		this.lines = new ArrayBlockingQueue<>(capacity);
		this.droppedNotice = droppedNotice;
	}

	/**
	 * Queue text for the output; never waits. Text that does not fit is dropped and
	 * counted.
	 * @param text one or more lines, each ending with a line separator
	 */
	void print(String text) {
		ensureWriter();
		this.pending.incrementAndGet();
		if (!this.lines.offer(text)) {
			this.pending.decrementAndGet();
			this.dropped.incrementAndGet();
		}
	}

	/**
	 * How many lines were dropped since the last notice was written.
	 * @return the count
	 */
	long dropped() {
		return this.dropped.get();
	}

	/**
	 * Wait until everything queued is written, at most {@code millis}: before the master
	 * exits.
	 * @param millis the bound
	 * @return whether everything was written (else the output is blocked)
	 */
	boolean flush(long millis) {
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
		while (this.pending.get() > 0 || (this.dropped.get() > 0 && this.writer != null)) {
			if (System.nanoTime() >= deadline) {
				return false;
			}
			try {
				Thread.sleep(5);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
		}
		return true;
	}

	private synchronized void ensureWriter() {
		if (this.writer == null) {
			Thread thread = new Thread(this::write, "jproc-log");
			thread.setDaemon(true);
			this.writer = thread;
			thread.start();
		}
	}

	private void write() {
		List<String> batch = new ArrayList<>(BATCH);
		StringBuilder text = new StringBuilder();
		while (true) {
			String first;
			try {
				first = this.lines.poll(100, TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				return;
			}
			long lost = this.dropped.get();
			if (first == null && lost == 0) {
				continue;
			}
			if (first != null) {
				batch.add(first);
				this.lines.drainTo(batch, BATCH - 1);
			}
			text.setLength(0);
			batch.forEach(text::append);
			if (lost > 0) {
				// After the lines queued before them: the dropped ones came later.
				text.append(this.droppedNotice.apply(lost));
			}
			this.out.print(text);
			this.out.flush();
			this.dropped.addAndGet(-lost);
			this.pending.addAndGet(-batch.size());
			batch.clear();
		}
	}

}
