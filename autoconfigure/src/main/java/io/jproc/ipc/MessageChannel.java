package io.jproc.ipc;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

/**
 * What the master needs of a worker's channel: send, answer, ask, close.
 * {@link IpcChannel} is the real one; the arbiter's unit tests give workers a recording
 * one.
 * <p>
 * Internal: public for jproc's own packages, not API.
 */
public interface MessageChannel {

	/**
	 * Send a message that expects no reply.
	 * @param message the message
	 * @return whether it was queued (false once the channel is closed or not read)
	 */
	boolean send(Message message);

	/**
	 * Answer a request.
	 * @param request the request's envelope
	 * @param message the answer
	 * @return whether it was written
	 */
	default boolean reply(Envelope request, Message message) {
		return reply(request.seq(), message);
	}

	/**
	 * Answer a request by its sequence number.
	 * @param requestSeq the request's sequence number
	 * @param message the answer
	 * @return whether it was written
	 */
	boolean reply(long requestSeq, Message message);

	/**
	 * Send a request and complete with its reply, or fail after a timeout.
	 * @param message the request
	 * @param timeout how long to wait
	 * @return the reply
	 */
	CompletableFuture<Message> request(Message message, Duration timeout);

	/**
	 * Queue an application message behind the channel's own frames: it never delays a
	 * heartbeat, stop or reply.
	 * @param message the message
	 * @return whether it was queued (false when the queue is full or the channel closed)
	 */
	default boolean queue(Message message) {
		return send(message);
	}

	/**
	 * Queue an application request, as {@link #queue(Message)}, and complete with its
	 * reply.
	 * @param message the request
	 * @param timeout how long to wait for the reply
	 * @return the reply
	 */
	default CompletableFuture<Message> queueRequest(Message message, Duration timeout) {
		return request(message, timeout);
	}

	/**
	 * Bound the queue of application messages.
	 * @param capacity the most messages waiting
	 */
	default void appQueueCapacity(int capacity) {
	}

	/**
	 * Bound the queue of application messages in number and bytes.
	 * @param capacity the most messages waiting
	 * @param bytes the most bytes waiting (an empty queue takes any one message)
	 * @param shared a budget shared with other channels that the bytes are drawn from
	 * too, or {@code null}
	 */
	default void appQueueLimits(int capacity, long bytes, @Nullable ByteBudget shared) {
		appQueueCapacity(capacity);
	}

	/**
	 * Set the write deadline: while frames wait, a peer that takes none of their bytes
	 * for this long is not reading.
	 * @param deadline the deadline
	 */
	default void writeDeadline(Duration deadline) {
	}

	/**
	 * Whether the peer is not reading: frames have waited past the write deadline with
	 * none of their bytes taken, or jproc's own frames overflowed their budget. The
	 * master treats it like a missed heartbeat.
	 * @return how long the peer has taken nothing, {@code null} while all is well
	 */
	default @Nullable Duration stalled() {
		return null;
	}

	/**
	 * Close the channel; pending requests fail.
	 */
	void close();

	/**
	 * Application frames dropped after they were queued, because the peer stopped reading
	 * or the channel closed.
	 * @return the count
	 */
	default long droppedFrames() {
		return 0;
	}

}
