package io.jproc.worker;

/**
 * Test access to what the worker's departure does with {@link LongLivedConnections}, for
 * the tests of the web-framework packages.
 */
public final class LongLivedConnectionsAccess {

	private LongLivedConnectionsAccess() {
	}

	/**
	 * Tell every long-lived connection to go away, as a leaving worker does.
	 * @param longLived the connections
	 * @return how many were told
	 */
	public static int sendAway(LongLivedConnections longLived) {
		return longLived.sendAway();
	}

}
