package io.jproc.ipc;

/**
 * A frame could not be read as an {@link Envelope}. When {@link #isFatal()} the stream
 * has lost its framing and the channel must be closed; otherwise only this frame is bad.
 * <p>
 * Internal: public for jproc's own packages, not API.
 */
public class MalformedFrameException extends Exception {

	private final boolean fatal;

	private final long seq;

	private final long replyTo;

	public MalformedFrameException(String message, boolean fatal, long seq) {
		this(message, fatal, seq, 0);
	}

	MalformedFrameException(String message, boolean fatal, long seq, long replyTo) {
		super(message);
		this.fatal = fatal;
		this.seq = seq;
		this.replyTo = replyTo;
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

	/**
	 * Sequence number of the request the bad frame answers, when it could be read, so the
	 * waiting request fails at once instead of timing out.
	 * @return the request's sequence number, or {@code 0}
	 */
	public long replyTo() {
		return this.replyTo;
	}

}
