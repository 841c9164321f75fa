package io.jproc.messaging;

import java.time.Duration;
import java.util.List;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The messenger of a single process (jproc off): it is worker 1 and every message goes to
 * its own listeners, off the caller's thread, as in a pool.
 */
final class LocalMessenger implements JprocMessenger {

	private static final long PID = ProcessHandle.current().pid();

	private final ListenerRegistry listeners;

	private final Outgoing outgoing;

	LocalMessenger(ListenerRegistry listeners, Outgoing outgoing) {
		this.listeners = listeners;
		this.outgoing = outgoing;
	}

	@Override
	public int workerId() {
		return 1;
	}

	@Override
	public void broadcast(String topic, Object payload) {
		deliver(Outgoing.topic(topic), this.outgoing.payload(payload), null);
	}

	@Override
	public void send(int workerId, String topic, Object payload) {
		String checked = Outgoing.topic(topic);
		String json = this.outgoing.payload(payload);
		requireSelf(workerId);
		deliver(checked, json, null);
	}

	private void deliver(String topic, String json, Inbound.Replier replier) {
		this.listeners.deliver(new Inbound(topic, json, 1, null, replier), this.outgoing.json());
	}

	private static void requireSelf(int workerId) {
		if (workerId != 1) {
			throw new IllegalArgumentException("no ready worker " + workerId + "; ready workers are [1]");
		}
	}

	@Override
	public <T> Mono<T> ask(int workerId, String topic, Object payload, Class<T> replyType, Duration timeout) {
		String checked = Outgoing.topic(topic);
		String json = this.outgoing.payload(payload);
		requireSelf(workerId);
		WorkerMessenger.requirePositive(timeout);
		return Mono.defer(() -> {
			Sinks.One<String> answer = Sinks.one();
			deliver(checked, json, new Inbound.Replier() {

				@Override
				public void answer(String reply) {
					answer.tryEmitValue(reply);
				}

				@Override
				public void fail(String why) {
					answer.tryEmitError(new JprocMessagingException(why));
				}

			});
			return answer.asMono();
		})
			.timeout(timeout, Mono.error(
					() -> new JprocMessagingException("worker 1 did not answer within " + timeout.toMillis() + " ms")))
			.map((reply) -> this.outgoing.json().readValue(reply, replyType));
	}

	@Override
	public <T> Mono<List<GatherOutcome<T>>> gather(String topic, Object payload, Class<T> replyType, Duration timeout) {
		return ask(1, topic, payload, replyType, timeout)
			.map((value) -> new GatherOutcome<>(1, PID, GatherOutcome.Status.ANSWERED, value, null))
			.onErrorResume((failure) -> Mono.just(new GatherOutcome<>(1, PID,
					failure.getMessage().contains("did not answer") ? GatherOutcome.Status.LATE
							: GatherOutcome.Status.FAILED,
					null, failure.getMessage())))
			.map(List::of);
	}

}
