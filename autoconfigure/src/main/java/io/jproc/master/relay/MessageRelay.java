package io.jproc.master.relay;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import io.jproc.JprocProperties;
import io.jproc.ipc.ByteBudget;
import io.jproc.ipc.Envelope;
import io.jproc.ipc.IpcChannel;
import io.jproc.ipc.Message;
import io.jproc.ipc.Message.Gathered.Status;
import io.jproc.ipc.PoolStatus;
import io.jproc.ipc.QueueFullException;
import io.jproc.master.process.WorkerHandle;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The master's post office: relays the application's messages between workers and keeps
 * leadership through {@link LeadershipKeeper}. The master runs no application code: it
 * reads only the envelope of an application message (topic, destination), never its
 * payload.
 * <p>
 * Application messages never go through the arbiter's queue: they are relayed on the
 * sending worker's reader thread straight into each destination's bounded queue, so a
 * flood cannot delay a heartbeat or a stop. Leadership changes happen on the arbiter
 * thread, in {@link #reconcile}, which compares the live workers with what it saw last.
 * The log levels set pool-wide are jproc's own control messages
 * ({@link Message.LogLevelChange}), kept here for the workers that start later.
 */
public final class MessageRelay {

	private static final Log logger = LogFactory.getLog(MessageRelay.class);

	/**
	 * Loggers whose pool-wide level is kept for later workers; past it the one set
	 * longest ago is forgotten (with a warning), so that a worker setting levels for ever
	 * new names cannot grow the master's heap.
	 */
	public static final int MAX_LOG_LEVELS = 1000;

	private final int queueCapacity;

	/** Bytes of application messages one destination may have waiting. */
	private final long destinationBytes;

	/** Bytes of application messages all destinations together may have waiting. */
	private final ByteBudget relayBudget;

	/** {@code jproc.messaging.max-payload}, checked again here: a worker may lie. */
	private final long maxPayload;

	private final AtomicLong oversize = new AtomicLong();

	private final LeadershipKeeper leadership;

	/** Serving workers by pid, as of the latest reconcile; read by reader threads. */
	private final Map<Long, WorkerHandle> serving = new ConcurrentHashMap<>();

	/** The slot ids of the pool, as of the latest reconcile. */
	private volatile List<Integer> slotIds = List.of();

	/** Live workers whose channel has its queue capacity set. Arbiter thread. */
	private final Set<Long> configured = new HashSet<>();

	private List<Integer> lastMembers = List.of();

	/** Serving workers that were sent the current members. */
	private final Set<Long> informed = new HashSet<>();

	/**
	 * Log levels set pool-wide, by logger name, for workers that start serving later; the
	 * latest set last, at most {@link #MAX_LOG_LEVELS}.
	 */
	private final Map<String, Message.LogLevelChange> logLevels = new LinkedHashMap<>();

	private final AtomicLong forgottenLevels = new AtomicLong();

	private final AtomicLong relayed = new AtomicLong();

	private final Map<Dropped, AtomicLong> dropped = new java.util.EnumMap<>(Dropped.class);

	/** Live workers whose channel's application queue the relay fills, by pid. */
	private final Map<Long, WorkerHandle> fed = new java.util.HashMap<>();

	private final AtomicLong asks = new AtomicLong();

	private final AtomicLong gathers = new AtomicLong();

	public MessageRelay(JprocProperties properties) {
		for (Dropped reason : Dropped.values()) {
			this.dropped.put(reason, new AtomicLong());
		}
		this.queueCapacity = properties.getMessaging().getQueueCapacity();
		this.maxPayload = properties.getMessaging().getMaxPayload().toBytes();
		this.destinationBytes = ByteBudget.perDestination(this.queueCapacity, this.maxPayload);
		this.relayBudget = new ByteBudget(ByteBudget.wholeRelay(this.destinationBytes));
		this.leadership = new LeadershipKeeper(properties.getHeartbeat().getInterval(),
				properties.getHeartbeat().getTimeout());
	}

	/**
	 * Relay an application message or gather request, on the sender's reader thread.
	 * @param sender the sending worker
	 * @param envelope the frame
	 */
	public void relay(WorkerHandle sender, Envelope envelope) {
		onAppTraffic(sender, envelope);
	}

	/**
	 * A worker acknowledged the revoke of its leadership, on the loop thread.
	 * @param worker the sender
	 * @param envelope the frame, a {@link Message.RevokeAck}
	 */
	public void onRevokeAck(WorkerHandle worker, Envelope envelope) {
		this.leadership.onRevokeAck(worker, (Message.RevokeAck) envelope.message());
	}

	/**
	 * A worker gives up its leadership, on the loop thread.
	 * @param worker the sender
	 * @param envelope the frame, a {@link Message.Yield}
	 */
	public void onYield(WorkerHandle worker, Envelope envelope) {
		this.leadership.onYield(worker, (Message.Yield) envelope.message());
	}

	/**
	 * A log level a worker set through its actuator, to be set pool-wide: passed to every
	 * other serving worker now and kept for every worker that starts serving later (a
	 * level reset to the default is passed on, not kept). On the arbiter thread, like
	 * {@link #reconcile}, which passes on what is kept.
	 * @param sender the worker where it was set
	 * @param envelope the frame, a {@link Message.LogLevelChange}: the logger and its
	 * level
	 */
	public void onLogLevelChange(WorkerHandle sender, Envelope envelope) {
		Message.LogLevelChange change = (Message.LogLevelChange) envelope.message();
		String forgotten = null;
		synchronized (this.logLevels) {
			this.logLevels.remove(change.name());
			if (change.level() != null) {
				if (this.logLevels.size() >= MAX_LOG_LEVELS) {
					// The oldest set goes: a later worker starts with its default level.
					forgotten = this.logLevels.keySet().iterator().next();
					this.logLevels.remove(forgotten);
				}
				this.logLevels.put(change.name(), change);
			}
		}
		if (forgotten != null) {
			long count = this.forgottenLevels.incrementAndGet();
			if (Long.bitCount(count) == 1) {
				logger.warn("jproc master: more than " + MAX_LOG_LEVELS + " loggers were given a level pool-wide; "
						+ "workers that start later no longer get the oldest (" + shorten(forgotten)
						+ "), the workers serving now keep it (" + count + " forgotten so far)");
			}
		}
		for (WorkerHandle worker : this.serving.values()) {
			if (worker != sender) {
				worker.channel().send(change);
			}
		}
	}

	/**
	 * Follow the pool: the serving workers that messages go to, their ids for the
	 * workers, and leadership ({@link LeadershipKeeper}). Call on the arbiter thread
	 * after every event and tick.
	 * @param slotIds the pool's slot ids
	 * @param live every live worker
	 * @param running whether the pool runs (not shutting down)
	 * @param now the time
	 */
	public void reconcile(List<Integer> slotIds, List<WorkerHandle> live, boolean running, Instant now) {
		this.slotIds = List.copyOf(slotIds);
		Set<Long> pids = new HashSet<>();
		for (WorkerHandle worker : live) {
			pids.add(worker.pid());
			if (this.configured.add(worker.pid())) {
				worker.channel().appQueueLimits(this.queueCapacity, this.destinationBytes, this.relayBudget);
				this.fed.put(worker.pid(), worker);
			}
			if (worker.state().isServing()) {
				if (this.serving.put(worker.pid(), worker) == null && !worker.isLeaving()) {
					passLogLevels(worker);
				}
			}
			else {
				this.serving.remove(worker.pid());
			}
		}
		this.configured.retainAll(pids);
		for (java.util.Iterator<WorkerHandle> gone = this.fed.values().iterator(); gone.hasNext();) {
			WorkerHandle worker = gone.next();
			if (!pids.contains(worker.pid())) {
				// What was queued for it and never written: it left, or stopped reading.
				count(Dropped.LEFT_UNSENT, worker.channel().droppedFrames());
				gone.remove();
			}
		}
		this.serving.keySet().retainAll(pids);
		this.leadership.observe(live, running, now);
		publishMembers();
	}

	private void publishMembers() {
		List<Integer> ids = this.serving.values().stream().map(WorkerHandle::id).distinct().sorted().toList();
		if (!ids.equals(this.lastMembers)) {
			this.lastMembers = ids;
			this.informed.clear();
		}
		Message.Members members = new Message.Members(ids);
		for (WorkerHandle worker : this.serving.values()) {
			// a replacement in the same slot changes no id, but must learn them too
			if (this.informed.add(worker.pid())) {
				worker.channel().send(members);
			}
		}
		this.informed.retainAll(this.serving.keySet());
	}

	private void onAppTraffic(WorkerHandle sender, Envelope envelope) {
		if (sender.isSpare()) {
			// A spare is no member of the pool until it takes a slot: what it sends (from
			// a scheduled task, say) goes nowhere, counted.
			count(Dropped.FROM_SPARE, 1);
			if (envelope.message() instanceof Message.GatherRequest
					|| (envelope.message() instanceof Message.AppMessage app && app.askTimeoutMillis() > 0)) {
				sender.channel()
					.reply(envelope,
							new Message.Failure("a spare worker takes no part in messaging until it takes a slot"));
			}
			return;
		}
		if (oversize(sender, envelope)) {
			return;
		}
		if (envelope.message() instanceof Message.GatherRequest gather) {
			gather(sender, envelope, gather);
			return;
		}
		Message.AppMessage message = (Message.AppMessage) envelope.message();
		Message.AppMessage delivered = new Message.AppMessage(message.topic(), message.payload(), sender.id(),
				message.to(), message.eventType(), message.askTimeoutMillis());
		if (message.askTimeoutMillis() > 0) {
			ask(sender, envelope, delivered);
			return;
		}
		List<WorkerHandle> targets = destinations(sender, message.to());
		if (targets.isEmpty() && message.to() > 0) {
			long count = count(Dropped.NO_WORKER, 1);
			if (Long.bitCount(count) == 1) {
				logger.warn("message on topic '" + message.topic() + "' from worker " + sender.id() + " to worker "
						+ message.to() + " dropped: no worker serves that slot now (" + count + " so far)");
			}
		}
		for (WorkerHandle target : targets) {
			try {
				if (target.channel().queue(delivered)) {
					this.relayed.incrementAndGet();
				}
				else {
					count(Dropped.CHANNEL_CLOSED, 1);
				}
			}
			catch (QueueFullException ex) {
				long count = count(Dropped.QUEUE_FULL, 1);
				if (Long.bitCount(count) == 1) {
					logger.warn("message on topic '" + message.topic() + "' from worker " + sender.id() + " to "
							+ target + " dropped: " + ex.getMessage() + " (" + count + " dropped so far)");
				}
			}
		}
	}

	/**
	 * Refuse a message whose payload is over {@code jproc.messaging.max-payload}: the
	 * sender checks it, but a worker that does not (or lies) must not make the master
	 * hold its megabytes in every destination's queue. Counted as dropped; a sender that
	 * asked gets a failure; no other worker sees anything.
	 * @param sender the sender
	 * @param envelope the message
	 * @return whether it was refused
	 */
	private boolean oversize(WorkerHandle sender, Envelope envelope) {
		String payload = (envelope.message() instanceof Message.AppMessage app) ? app.payload()
				: ((Message.GatherRequest) envelope.message()).payload();
		long size = utf8Length(payload);
		if (size <= this.maxPayload) {
			return false;
		}
		count(Dropped.OVERSIZE, 1);
		long count = this.oversize.incrementAndGet();
		String why = "payload of " + size + " bytes is over jproc.messaging.max-payload (" + this.maxPayload
				+ " bytes); refused by the master";
		if (Long.bitCount(count) == 1) {
			logger.warn("message from " + sender + " refused: " + why + " (" + count + " refused so far)");
		}
		boolean asked = envelope.message() instanceof Message.GatherRequest
				|| (envelope.message() instanceof Message.AppMessage app && app.askTimeoutMillis() > 0);
		if (asked) {
			sender.channel().reply(envelope, new Message.Failure(why));
		}
		return true;
	}

	private static String shorten(String name) {
		return (name.length() <= 120) ? name : name.substring(0, 120) + "...";
	}

	private static long utf8Length(@Nullable String text) {
		if (text == null) {
			return 0;
		}
		long bytes = 0;
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c < 0x80) {
				bytes++;
			}
			else if (c < 0x800) {
				bytes += 2;
			}
			else if (Character.isHighSurrogate(c)) {
				bytes += 4;
				i++;
			}
			else {
				bytes += 3;
			}
		}
		return bytes;
	}

	/**
	 * The log levels kept for workers that start serving later, the latest set last.
	 * @return the logger names
	 */
	List<String> keptLogLevels() {
		synchronized (this.logLevels) {
			return List.copyOf(this.logLevels.keySet());
		}
	}

	/**
	 * Messages refused because their payload was over {@code jproc.messaging.max-payload}
	 * (also counted in the dropped messages).
	 * @return the count
	 */
	public long refusedOversize() {
		return this.oversize.get();
	}

	/**
	 * The budget of application bytes the relay holds for all destinations.
	 * @return the budget
	 */
	public ByteBudget budget() {
		return this.relayBudget;
	}

	/**
	 * A worker that starts serving gets the log levels set in the pool so far.
	 * @param worker the worker that starts serving
	 */
	private void passLogLevels(WorkerHandle worker) {
		List<Message.LogLevelChange> changes;
		synchronized (this.logLevels) {
			changes = List.copyOf(this.logLevels.values());
		}
		for (Message.LogLevelChange change : changes) {
			worker.channel().send(change);
		}
	}

	private List<WorkerHandle> destinations(WorkerHandle sender, int to) {
		List<WorkerHandle> targets = new ArrayList<>();
		if (to > 0) {
			WorkerHandle target = workerIn(to);
			if (target != null) {
				targets.add(target);
			}
			return targets;
		}
		for (WorkerHandle worker : this.serving.values()) {
			if (to == Message.AppMessage.EVERY_WORKER || worker != sender) {
				targets.add(worker);
			}
		}
		return targets;
	}

	/**
	 * The worker to address in a slot: the one not leaving, else the one still serving.
	 * @param slot the slot's id
	 * @return the worker, {@code null} when no serving worker is in the slot
	 */
	private @Nullable WorkerHandle workerIn(int slot) {
		WorkerHandle found = null;
		for (WorkerHandle worker : this.serving.values()) {
			if (worker.id() == slot && (found == null || found.isLeaving())) {
				found = worker;
			}
		}
		return found;
	}

	private void ask(WorkerHandle sender, Envelope envelope, Message.AppMessage message) {
		this.asks.incrementAndGet();
		WorkerHandle target = workerIn(message.to());
		if (target == null) {
			sender.channel().reply(envelope, new Message.Failure("no ready worker " + message.to()));
			return;
		}
		forward(target, message).thenAccept((outcome) -> sender.channel()
			.reply(envelope, (outcome.status() == Status.ANSWERED)
					? new Message.AppReply(outcome.payload(), outcome.pid()) : new Message.Failure(outcome.error())));
	}

	private void gather(WorkerHandle sender, Envelope envelope, Message.GatherRequest request) {
		this.gathers.incrementAndGet();
		List<CompletableFuture<Message.Gathered.Outcome>> outcomes = new ArrayList<>();
		for (int slot : this.slotIds) {
			WorkerHandle target = workerIn(slot);
			if (target == null) {
				outcomes.add(CompletableFuture.completedFuture(new Message.Gathered.Outcome(slot, -1, Status.LEFT_OUT,
						null, "no worker of slot " + slot + " takes traffic")));
			}
			else {
				outcomes.add(forward(target, new Message.AppMessage(request.topic(), request.payload(), sender.id(),
						slot, null, request.timeoutMillis())));
			}
		}
		CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new))
			.thenRun(() -> sender.channel()
				.reply(envelope, new Message.Gathered(outcomes.stream().map(CompletableFuture::join).toList())));
	}

	private CompletableFuture<Message.Gathered.Outcome> forward(WorkerHandle target, Message.AppMessage message) {
		Duration timeout = Duration.ofMillis(message.askTimeoutMillis());
		return target.channel().queueRequest(message, timeout).handle((reply, failure) -> {
			if (failure == null && reply instanceof Message.AppReply answer) {
				this.relayed.incrementAndGet();
				return new Message.Gathered.Outcome(target.id(), target.pid(), Status.ANSWERED, answer.payload(), null);
			}
			if (failure == null) {
				String why = (reply instanceof Message.Failure refused) ? refused.message() : "unexpected answer";
				return new Message.Gathered.Outcome(target.id(), target.pid(), Status.FAILED, null, why);
			}
			Throwable cause = IpcChannel.causeOf(failure);
			if (cause instanceof TimeoutException) {
				return new Message.Gathered.Outcome(target.id(), target.pid(), Status.LATE, null,
						"worker " + target.id() + " did not answer within " + timeout.toMillis() + " ms");
			}
			if (cause instanceof IOException) {
				return new Message.Gathered.Outcome(target.id(), target.pid(), Status.FAILED, null,
						"worker " + target.id() + " (pid " + target.pid() + ") left before it answered");
			}
			if (cause instanceof QueueFullException) {
				count(Dropped.QUEUE_FULL, 1);
			}
			return new Message.Gathered.Outcome(target.id(), target.pid(), Status.FAILED, null, cause.getMessage());
		});
	}

	/**
	 * The leader and message counters, for the pool status.
	 * @return the figures
	 */
	public PoolStatus.Messaging status() {
		Map<String, Long> byReason = new LinkedHashMap<>();
		long total = 0;
		for (Map.Entry<Dropped, AtomicLong> entry : this.dropped.entrySet()) {
			long count = entry.getValue().get();
			total += count;
			if (count > 0) {
				byReason.put(entry.getKey().wireName(), count);
			}
		}
		return new PoolStatus.Messaging(this.leadership.leader(), this.leadership.epoch(), this.relayed.get(), total,
				this.asks.get(), this.gathers.get(), byReason);
	}

	private long count(Dropped reason, long count) {
		return (count > 0) ? this.dropped.get(reason).addAndGet(count) : this.dropped.get(reason).get();
	}

}
