package io.jproc.ipc;

/**
 * One frame on the channel: a message with its sequence number and, for a reply, the
 * sequence number of the request it answers.
 * <p>
 * Internal: public for jproc's own packages, not API.
 *
 * @param seq this frame's sequence number, unique per sender and channel, from 1
 * @param replyTo the sequence number this frame answers, {@code 0} if it is no reply
 * @param message the message
 */
public record Envelope(long seq, long replyTo, Message message) {

	/** Version of the envelope; a frame with another version is refused. */
	public static final int VERSION = 1;

	/**
	 * Whether this frame answers a request.
	 * @return {@code true} for a reply
	 */
	public boolean isReply() {
		return this.replyTo != 0;
	}

}
