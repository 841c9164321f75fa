package io.jproc.master.process;

/**
 * Sends signals to worker processes: {@link Spawner} for real, a recorder in unit tests.
 */
@FunctionalInterface
public interface Signaller {

	/**
	 * Send a signal.
	 * @param pid the process
	 * @param signal the signal
	 */
	void signal(long pid, PosixSignal signal);

}
