package io.jproc.messaging;

import java.time.Duration;
import java.util.List;

import reactor.core.publisher.Mono;

/**
 * Sends application messages to the workers of the pool, relayed by the master. Payloads
 * are mapped to JSON with the application's own Jackson {@code JsonMapper}; receivers are
 * bean methods annotated {@link JprocListener @JprocListener}.
 * <p>
 * Promises: order per sender and receiver; at most once; no persistence. A send completes
 * when the message is queued locally; {@link #ask} is the proof of receipt. In a single
 * process (jproc off) the one process is worker 1 and every message goes to it. No method
 * blocks: each may be called from an event-loop thread.
 *
 * @see JprocListener
 */
public interface JprocMessenger {

	/**
	 * Send to every ready worker, this one included.
	 * @param topic the topic: letters, digits, {@code . _ -}, at most 200 characters, not
	 * under {@code jproc.}
	 * @param payload the payload, not {@code null}
	 * @throws IllegalArgumentException for a bad or reserved topic, a {@code null}
	 * payload or one over {@code jproc.messaging.max-payload}
	 * @throws io.jproc.ipc.QueueFullException when the outgoing queue is full
	 */
	void broadcast(String topic, Object payload);

	/**
	 * Send to one worker.
	 * @param workerId the worker id
	 * @param topic the topic
	 * @param payload the payload
	 * @throws IllegalArgumentException as for {@link #broadcast}, and for a worker id
	 * that is not ready
	 * @throws io.jproc.ipc.QueueFullException when the outgoing queue is full
	 */
	void send(int workerId, String topic, Object payload);

	/**
	 * Ask one worker; its listener's return value is the answer.
	 * @param <T> the answer's type
	 * @param workerId the worker id
	 * @param topic the topic
	 * @param payload the payload
	 * @param replyType the answer's type
	 * @param timeout how long to wait
	 * @return the answer; an error {@link JprocMessagingException} when the worker does
	 * not answer in time, has gone, has no listener or its listener failed
	 * @throws IllegalArgumentException as for {@link #send}
	 */
	<T> Mono<T> ask(int workerId, String topic, Object payload, Class<T> replyType, Duration timeout);

	/**
	 * Ask every worker slot and gather what each answers within the timeout. Never all or
	 * nothing: each worker has its own {@link GatherOutcome}.
	 * @param <T> the answers' type
	 * @param topic the topic
	 * @param payload the payload
	 * @param replyType the answers' type
	 * @param timeout how long each worker has
	 * @return one outcome per worker slot, by id
	 * @throws IllegalArgumentException as for {@link #broadcast}
	 */
	<T> Mono<List<GatherOutcome<T>>> gather(String topic, Object payload, Class<T> replyType, Duration timeout);

	/**
	 * The id of this worker now ({@code 1} in a single process); {@code 0} while it is a
	 * spare without a slot, the slot's id once it has taken one.
	 * @return the id
	 */
	int workerId();

}
