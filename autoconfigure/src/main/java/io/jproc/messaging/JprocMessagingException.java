package io.jproc.messaging;

/**
 * An ask or gather that could not be completed: no answer in time, the worker left, had
 * no listener, or its listener failed.
 */
public class JprocMessagingException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	/**
	 * Create an exception.
	 * @param message what happened
	 */
	public JprocMessagingException(String message) {
		super(message);
	}

}
