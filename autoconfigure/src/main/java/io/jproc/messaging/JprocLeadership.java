package io.jproc.messaging;

/**
 * Leadership of the pool, owned by the master: at most one worker leads, with an epoch
 * that only grows. Events {@link LeadershipGranted} and {@link LeadershipRevoked} are
 * published in the application context when it changes (off the event loop). In a single
 * process the process is the leader with epoch 1.
 */
public interface JprocLeadership {

	/**
	 * Whether this worker leads now.
	 * @return {@code true} while it leads
	 */
	boolean isLeader();

	/**
	 * The epoch this worker leads or led last, {@code 0} if it never led.
	 * @return the epoch
	 */
	long epoch();

	/**
	 * Ask the master to give leadership to another ready worker, if there is one. This
	 * worker stops leading once it has been revoked.
	 */
	void yieldLeadership();

}
