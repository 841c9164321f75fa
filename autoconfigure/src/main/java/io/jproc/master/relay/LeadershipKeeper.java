package io.jproc.master.relay;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.jproc.ipc.Message;
import io.jproc.ipc.PoolStatus;
import io.jproc.master.process.Durations;
import io.jproc.master.process.WorkerHandle;
import io.jproc.master.process.WorkerState;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Drives {@link Leadership} from the pool: compares the live workers with its last pass
 * and reports what changed (ready, leaving, reaped), takes the workers' acknowledgements
 * and yields, and sends grants and revokes. Level-triggered, so no sequence of events can
 * be missed. Arbiter thread only.
 */
final class LeadershipKeeper {

	private static final Log logger = LogFactory.getLog(LeadershipKeeper.class);

	private final Leadership leadership = new Leadership(new Actions());

	/** {@code jproc.heartbeat.timeout}: the holder silent this long is hung. */
	private final Duration timeout;

	/** How lately a worker must have been heard from to be granted leadership. */
	private final Duration recent;

	/** Ready workers passed over because they were not heard from lately, by pid. */
	private final Set<Long> unheard = new HashSet<>();

	/** Every live worker seen, by pid. */
	private final Map<Long, WorkerHandle> known = new HashMap<>();

	private final Set<Long> seenLeaving = new HashSet<>();

	private final Set<Long> candidates = new HashSet<>();

	private @Nullable Instant leaderLostAt;

	/**
	 * A keeper for a pool with these heartbeats.
	 * @param interval {@code jproc.heartbeat.interval}
	 * @param timeout {@code jproc.heartbeat.timeout}
	 */
	LeadershipKeeper(Duration interval, Duration timeout) {
		this.timeout = timeout;
		Duration twoBeats = interval.multipliedBy(2);
		this.recent = (twoBeats.compareTo(timeout) < 0) ? twoBeats : timeout;
	}

	/**
	 * Tell leadership what changed since the last pass.
	 * <p>
	 * Leadership goes only to a worker heard from lately: ready, with a heartbeat (or its
	 * ready) no older than two heartbeat intervals (at most
	 * {@code jproc.heartbeat.timeout}), and a channel it reads
	 * ({@link io.jproc.ipc.MessageChannel#stalled()}); a worker stopped by SIGSTOP or in
	 * a long pause is passed over until it is heard from again. The holder keeps it until
	 * it is silent for {@code jproc.heartbeat.timeout} or its channel stalls, as a hung
	 * worker: it is then asked to give it up, and the next epoch is granted once it
	 * acknowledged or was reaped.
	 * @param live every live worker
	 * @param running whether the pool runs (not shutting down)
	 * @param now the time
	 */
	void observe(List<WorkerHandle> live, boolean running, Instant now) {
		if (!running) {
			this.leadership.stop();
		}
		Map<Long, WorkerHandle> alive = new HashMap<>();
		live.forEach((worker) -> alive.put(worker.pid(), worker));
		for (Long pid : List.copyOf(this.known.keySet())) {
			if (!alive.containsKey(pid)) {
				this.known.remove(pid);
				this.seenLeaving.remove(pid);
				this.candidates.remove(pid);
				this.unheard.remove(pid);
				this.leadership.reaped(pid);
			}
		}
		for (WorkerHandle worker : live) {
			this.known.put(worker.pid(), worker);
			WorkerState state = worker.state();
			boolean leaving = worker.isLeaving() || (!state.isServing() && state != WorkerState.STARTING);
			if (leaving) {
				if (this.seenLeaving.add(worker.pid())) {
					this.candidates.remove(worker.pid());
					this.leadership.leaving(worker.pid());
				}
			}
			else if (state == WorkerState.READY) {
				Duration silent = silence(worker, now);
				if (silent == null) {
					if (this.unheard.remove(worker.pid())) {
						logger.info(worker + " is heard from again: it may lead");
					}
					if (this.candidates.add(worker.pid())) {
						this.leadership.ready(worker.id(), worker.pid());
					}
				}
				else if (this.unheard.add(worker.pid())) {
					logger.info(worker + (isHolder(worker) ? " leads but" : "") + " was not heard from for "
							+ Durations.seconds(silent) + ": "
							+ (isHolder(worker) ? "asked to give up leadership" : "not given leadership until it is"));
					this.candidates.remove(worker.pid());
					// A candidate no more; the holder is asked to give it up.
					this.leadership.leaving(worker.pid());
				}
			}
		}
	}

	/**
	 * How long a worker has not been heard from, when that is too long to lead.
	 * @param worker a ready worker
	 * @param now the time
	 * @return {@code null} when it was heard from lately enough, else how long it has
	 * been silent (or its channel unread)
	 */
	private @Nullable Duration silence(WorkerHandle worker, Instant now) {
		Duration stalled = worker.channel().stalled();
		if (stalled != null) {
			return stalled;
		}
		Instant heard = worker.lastHeartbeat();
		if (heard == null) {
			return null;
		}
		Duration silent = Duration.between(heard, now);
		Duration allowed = isHolder(worker) ? this.timeout : this.recent;
		return (silent.compareTo(allowed) > 0) ? silent : null;
	}

	/**
	 * A worker acknowledged the revoke of its leadership.
	 * @param worker the sender
	 * @param ack the message
	 */
	void onRevokeAck(WorkerHandle worker, Message.RevokeAck ack) {
		if (isHolder(worker)) {
			logger.info(worker + " gave up leadership (epoch " + ack.epoch() + ")");
		}
		this.leadership.revokeAcked(worker.pid(), ack.epoch());
	}

	/**
	 * A worker yields its leadership.
	 * @param worker the sender
	 * @param yield the message
	 */
	void onYield(WorkerHandle worker, Message.Yield yield) {
		logger.info(worker + " yields leadership (epoch " + yield.epoch() + ")");
		this.leadership.yield(worker.pid(), yield.epoch());
	}

	private boolean isHolder(WorkerHandle worker) {
		Long holder = this.leadership.holder();
		return holder != null && holder == worker.pid();
	}

	/**
	 * The worker holding the current epoch.
	 * @return it, {@code null} when nobody leads
	 */
	PoolStatus.@Nullable Leader leader() {
		Long holder = this.leadership.holder();
		return (holder != null) ? new PoolStatus.Leader(this.leadership.holderSlot(), holder, this.leadership.epoch(),
				this.leadership.isRevoking()) : null;
	}

	long epoch() {
		return this.leadership.epoch();
	}

	private final class Actions implements Leadership.Actions {

		@Override
		public void grant(long pid, long epoch) {
			WorkerHandle worker = LeadershipKeeper.this.known.get(pid);
			if (worker == null) {
				return;
			}
			String gap = "";
			if (LeadershipKeeper.this.leaderLostAt != null) {
				gap = ", " + Duration.between(LeadershipKeeper.this.leaderLostAt, Instant.now()).toMillis()
						+ " ms after the previous leader was asked to stop or lost";
				LeadershipKeeper.this.leaderLostAt = null;
			}
			logger.info(worker + " leads the pool, epoch " + epoch + gap);
			worker.channel().send(new Message.Grant(epoch));
		}

		@Override
		public void revoke(long pid, long epoch) {
			LeadershipKeeper.this.leaderLostAt = Instant.now();
			WorkerHandle worker = LeadershipKeeper.this.known.get(pid);
			if (worker != null) {
				logger.info("asking " + worker + " to give up leadership (epoch " + epoch + ")");
				worker.channel().send(new Message.Revoke(epoch));
			}
		}

		@Override
		public void lost(long pid, long epoch, String how) {
			if (LeadershipKeeper.this.leaderLostAt == null) {
				LeadershipKeeper.this.leaderLostAt = Instant.now();
			}
			logger.info("leader pid " + pid + " (epoch " + epoch + ") " + how);
		}

	}

}
