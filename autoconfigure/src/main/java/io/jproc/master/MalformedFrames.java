package io.jproc.master;

import java.util.HashMap;
import java.util.Map;

import io.jproc.ipc.MalformedFrameException;
import io.jproc.master.process.WorkerHandle;
import org.jspecify.annotations.Nullable;

/**
 * What the master says of the malformed frames a worker sends: a worker that sends them
 * in a loop must not flood the master's log, and a bad value in one must not fill a line.
 * Per worker, the 1st, 2nd, 4th, 8th... are logged, each with the count so far, and the
 * one that closes its channel (there is only one); every message is shortened. Loop
 * thread only.
 */
final class MalformedFrames {

	/** The longest description of a bad frame that is logged or answered. */
	static final int MAX_DESCRIPTION = 200;

	private final Map<Long, Long> counts = new HashMap<>();

	/**
	 * A worker sent a malformed frame.
	 * @param worker the worker
	 * @param error what was wrong
	 * @return the line to log, {@code null} when this one is not logged
	 */
	@Nullable String onMalformed(WorkerHandle worker, MalformedFrameException error) {
		long count = this.counts.merge(worker.pid(), 1L, Long::sum);
		if (Long.bitCount(count) != 1 && !error.isFatal()) {
			return null;
		}
		return worker + " sent a malformed frame" + (error.isFatal() ? " and its channel is closed: " : ", ignored: ")
				+ describe(error)
				+ ((count > 1)
						? " (" + count + " malformed frames from it so far; the next logged at " + (count * 2) + ")"
						: "");
	}

	/**
	 * A worker ended: its count goes.
	 * @param worker the worker
	 */
	void forget(WorkerHandle worker) {
		this.counts.remove(worker.pid());
	}

	/**
	 * What was wrong with a frame, at most {@link #MAX_DESCRIPTION} characters on one
	 * line.
	 * @param error the error
	 * @return the description
	 */
	static String describe(MalformedFrameException error) {
		String text = String.valueOf(error.getMessage()).replaceAll("\\s+", " ");
		return (text.length() <= MAX_DESCRIPTION) ? text : text.substring(0, MAX_DESCRIPTION) + "...";
	}

}
