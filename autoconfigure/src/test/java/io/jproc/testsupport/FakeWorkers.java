package io.jproc.testsupport;

import java.time.Instant;

import io.jproc.master.process.WorkerHandle;

/**
 * Worker handles as the master knows them, each on its own {@link RecordingChannel}.
 */
public final class FakeWorkers {

	/** When every fake worker was spawned. */
	public static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

	private FakeWorkers() {
	}

	/**
	 * A worker that has not reported ready.
	 * @param id its slot, {@code 0} for a spare
	 * @param pid its pid
	 * @return the worker
	 */
	public static WorkerHandle starting(int id, long pid) {
		return new WorkerHandle(id, pid, pid, START, new RecordingChannel());
	}

	/**
	 * A worker that reported ready.
	 * @param id its slot, {@code 0} for a spare
	 * @param pid its pid
	 * @return the worker
	 */
	public static WorkerHandle ready(int id, long pid) {
		WorkerHandle worker = starting(id, pid);
		worker.ready(START.plusSeconds(1));
		return worker;
	}

	/**
	 * The fake channel of a worker made here.
	 * @param worker the worker
	 * @return its channel
	 */
	public static RecordingChannel channel(WorkerHandle worker) {
		return (RecordingChannel) worker.channel();
	}

}
