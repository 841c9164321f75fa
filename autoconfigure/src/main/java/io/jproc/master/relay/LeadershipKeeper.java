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

	/** Every live worker seen, by pid. */
	private final Map<Long, WorkerHandle> known = new HashMap<>();

	private final Set<Long> seenLeaving = new HashSet<>();

	private final Set<Long> candidates = new HashSet<>();

	private @Nullable Instant leaderLostAt;

	/**
	 * Tell leadership what changed since the last pass.
	 * @param live every live worker
	 * @param running whether the pool runs (not shutting down)
	 */
	void observe(List<WorkerHandle> live, boolean running) {
		if (!running) {
			this.leadership.stop();
		}
		Map<Long, WorkerHandle> now = new HashMap<>();
		live.forEach((worker) -> now.put(worker.pid(), worker));
		for (Long pid : List.copyOf(this.known.keySet())) {
			if (!now.containsKey(pid)) {
				this.known.remove(pid);
				this.seenLeaving.remove(pid);
				this.candidates.remove(pid);
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
			else if (state == WorkerState.READY && this.candidates.add(worker.pid())) {
				this.leadership.ready(worker.id(), worker.pid());
			}
		}
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
