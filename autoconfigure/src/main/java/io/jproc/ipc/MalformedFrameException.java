package io.jproc.ipc;

/**
 * A frame could not be read as an {@link Envelope}. When {@link #isFatal()} the stream
 * has lost its framing and the channel must be closed; otherwise only this frame is bad.
 */
public class MalformedFrameException extends Exception {

	private final boolean fatal;

	private final long seq;

	MalformedFrameException(String message, boolean fatal, long seq) {
		super(message);
		this.fatal = fatal;
		this.seq = seq;
	}

	/**
	 * Whether the framing itself is broken (bad length, truncated frame).
	 * @return {@code true} if nothing more can be read from the channel
	 */
	public boolean isFatal() {
		return this.fatal;
	}

	/**
	 * Sequence number of the bad frame when it could be read, so the sender of a bad
	 * request can still get a reply.
	 * @return the sequence number, or {@code 0}
	 */
	public long seq() {
		return this.seq;
	}

}
