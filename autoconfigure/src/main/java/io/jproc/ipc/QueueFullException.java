package io.jproc.ipc;

/**
 * An application message could not be queued for its destination because that
 * destination's queue is full. Nothing was sent; other destinations are not affected.
 * <p>
 * The one type of this package that applications meet: {@code JprocMessenger}'s sends
 * throw it.
 */
public class QueueFullException extends IllegalStateException {

	private static final long serialVersionUID = 1L;

	/**
	 * Create an exception.
	 * @param message what was full, in words
	 */
	public QueueFullException(String message) {
		super(message);
	}

}
