package io.jproc.messaging;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.IntSupplier;
import java.util.function.Predicate;

import io.jproc.ipc.IpcChannel;
import io.jproc.ipc.Message;
import io.jproc.worker.MasterLink;
import reactor.core.publisher.Mono;

/**
 * The messenger of a worker: messages go to the master, which relays them.
 */
final class WorkerMessenger implements JprocMessenger {

	/** Extra time over an ask's own timeout, so that the master's precise answer wins. */
	private static final Duration MARGIN = Duration.ofSeconds(1);

	private final IntSupplier workerId;

	private final Predicate<Message> queue;

	private final BiFunction<Message, Duration, CompletableFuture<Message>> queueRequest;

	private final Outgoing outgoing;

	private volatile Set<Integer> members = Set.of();

	WorkerMessenger(IntSupplier workerId, MasterLink link, Outgoing outgoing) {
		this(workerId, link::queue, link::queueRequest, outgoing);
	}

	/**
	 * A messenger that queues on the given functions instead of a {@link MasterLink}; for
	 * tests.
	 * @param workerId this worker's id
	 * @param queue as {@link MasterLink#queue}
	 * @param queueRequest as {@link MasterLink#queueRequest}
	 * @param outgoing checks and maps what is sent
	 */
	WorkerMessenger(IntSupplier workerId, Predicate<Message> queue,
			BiFunction<Message, Duration, CompletableFuture<Message>> queueRequest, Outgoing outgoing) {
		this.workerId = workerId;
		this.queue = queue;
		this.queueRequest = queueRequest;
		this.outgoing = outgoing;
	}

	void members(List<Integer> ids) {
		this.members = Set.copyOf(ids);
	}

	@Override
	public int workerId() {
		return this.workerId.getAsInt();
	}

	@Override
	public void broadcast(String topic, Object payload) {
		queue(Outgoing.topic(topic), this.outgoing.payload(payload), Message.AppMessage.EVERY_WORKER, null);
	}

	@Override
	public void send(int workerId, String topic, Object payload) {
		queue(Outgoing.topic(topic), this.outgoing.payload(payload), requireMember(workerId), null);
	}

	void sendInternal(String topic, String payload, int to) {
		queue(topic, payload, to, null);
	}

	void publishEvent(String payload, String eventType) {
		queue(Outgoing.EVENT_TOPIC, payload, Message.AppMessage.EVERY_OTHER_WORKER, eventType);
	}

	private void queue(String topic, String payload, int to, String eventType) {
		this.queue.test(new Message.AppMessage(topic, payload, this.workerId.getAsInt(), to, eventType, 0));
	}

	private int requireMember(int workerId) {
		if (!this.members.contains(workerId)) {
			throw new IllegalArgumentException(
					"no ready worker " + workerId + "; ready workers are " + this.members.stream().sorted().toList());
		}
		return workerId;
	}

	@Override
	public <T> Mono<T> ask(int workerId, String topic, Object payload, Class<T> replyType, Duration timeout) {
		Message request = new Message.AppMessage(Outgoing.topic(topic), this.outgoing.payload(payload),
				this.workerId.getAsInt(), requireMember(workerId), null, requirePositive(timeout));
		return Mono.fromFuture(() -> answer(this.queueRequest.apply(request, timeout.plus(MARGIN)), workerId, timeout))
			.map((reply) -> this.outgoing.json().readValue(reply.payload(), replyType));
	}

	private static CompletableFuture<Message.AppReply> answer(CompletableFuture<Message> reply, int workerId,
			Duration timeout) {
		return reply.handle((message, failure) -> {
			if (failure != null) {
				Throwable cause = IpcChannel.causeOf(failure);
				if (cause instanceof TimeoutException) {
					throw new JprocMessagingException(
							"worker " + workerId + " did not answer within " + timeout.toMillis() + " ms");
				}
				if (cause instanceof IOException) {
					throw new JprocMessagingException("the channel to the master is closed");
				}
				throw new JprocMessagingException(String.valueOf(cause.getMessage()));
			}
			if (message instanceof Message.AppReply appReply) {
				return appReply;
			}
			throw new JprocMessagingException((message instanceof Message.Failure refused) ? refused.message()
					: "unexpected answer " + message.getClass().getSimpleName());
		});
	}

	@Override
	public <T> Mono<List<GatherOutcome<T>>> gather(String topic, Object payload, Class<T> replyType, Duration timeout) {
		Message request = new Message.GatherRequest(Outgoing.topic(topic), this.outgoing.payload(payload),
				requirePositive(timeout));
		return Mono.fromFuture(() -> this.queueRequest.apply(request, timeout.plus(MARGIN).plus(MARGIN)))
			.onErrorMap((failure) -> new JprocMessagingException("gather failed: " + IpcChannel.causeOf(failure)))
			.map((reply) -> {
				if (!(reply instanceof Message.Gathered gathered)) {
					throw new JprocMessagingException("gather failed: " + ((reply instanceof Message.Failure refused)
							? refused.message() : reply.getClass().getSimpleName()));
				}
				return gathered.outcomes().stream().map((outcome) -> outcome(outcome, replyType)).toList();
			});
	}

	private <T> GatherOutcome<T> outcome(Message.Gathered.Outcome outcome, Class<T> replyType) {
		Message.Gathered.Status wire = (outcome.status() != null) ? outcome.status() : Message.Gathered.Status.FAILED;
		GatherOutcome.Status status = switch (wire) {
			case ANSWERED -> GatherOutcome.Status.ANSWERED;
			case LATE -> GatherOutcome.Status.LATE;
			case LEFT_OUT -> GatherOutcome.Status.LEFT_OUT;
			case FAILED -> GatherOutcome.Status.FAILED;
		};
		if (status != GatherOutcome.Status.ANSWERED) {
			return new GatherOutcome<>(outcome.worker(), outcome.pid(), status, null, outcome.error());
		}
		try {
			return new GatherOutcome<>(outcome.worker(), outcome.pid(), status,
					this.outgoing.json().readValue(outcome.payload(), replyType), null);
		}
		catch (RuntimeException ex) {
			return new GatherOutcome<>(outcome.worker(), outcome.pid(), GatherOutcome.Status.FAILED, null,
					"answer does not map to " + replyType.getName() + ": " + ex.getMessage());
		}
	}

	static long requirePositive(Duration timeout) {
		if (timeout == null || timeout.toMillis() <= 0) {
			throw new IllegalArgumentException("timeout must be positive, was " + timeout);
		}
		return timeout.toMillis();
	}

}
