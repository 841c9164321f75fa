package io.jproc.worker;

import org.springframework.context.ApplicationEvent;

/**
 * Published when this spare worker takes a slot: from now on it is worker
 * {@link #getWorkerId()} and accepts connections. Published on a thread of its own, not
 * on the thread that reads the master's messages.
 */
public class SlotTakenEvent extends ApplicationEvent {

	private final int workerId;

	private final long workerNumber;

	/**
	 * Create the event.
	 * @param source the worker's identity
	 * @param workerId the slot id taken, from 1
	 * @param workerNumber the worker process's number, which does not change
	 */
	public SlotTakenEvent(Object source, int workerId, long workerNumber) {
		super(source);
		this.workerId = workerId;
		this.workerNumber = workerNumber;
	}

	/**
	 * The worker id now, that is the slot taken.
	 * @return the id, from 1
	 */
	public int getWorkerId() {
		return this.workerId;
	}

	/**
	 * The worker process's number, its permanent name.
	 * @return the number
	 */
	public long getWorkerNumber() {
		return this.workerNumber;
	}

	@Override
	public String toString() {
		return "SlotTakenEvent[workerId=" + this.workerId + ", workerNumber=" + this.workerNumber + "]";
	}

}
