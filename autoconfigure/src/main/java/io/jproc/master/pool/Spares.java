package io.jproc.master.pool;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.jproc.JprocProperties;
import io.jproc.master.process.Durations;
import io.jproc.master.process.WorkerHandle;
import io.jproc.master.process.WorkerState;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The spare workers: booted (or booting) worker processes in no slot, which hold the
 * shared socket but take no connection until one takes a slot. The pool keeps
 * {@code jproc.spare-workers} of them, boots them one at a time and only while no slot's
 * worker boots, so that they never compete with a replacement the pool needs. Spares that
 * keep failing are backed off, then given up until the next reload. Owned by the arbiter
 * thread.
 */
public final class Spares {

	private static final Log logger = LogFactory.getLog(Spares.class);

	private final int wanted;

	private final JprocProperties.Restart policy;

	/** Every live spare, leaving ones too, oldest first. */
	private final List<WorkerHandle> live = new ArrayList<>();

	private int failuresInARow;

	private @Nullable Instant nextAt;

	private @Nullable String gaveUpReason;

	public Spares(int wanted, JprocProperties.Restart policy) {
		this.wanted = wanted;
		this.policy = policy;
	}

	public int wanted() {
		return this.wanted;
	}

	/**
	 * Every live spare, leaving ones too.
	 * @return the spares, oldest first
	 */
	public List<WorkerHandle> live() {
		return List.copyOf(this.live);
	}

	public boolean contains(WorkerHandle worker) {
		return this.live.contains(worker);
	}

	/**
	 * The spare a slot should take now: a ready one before a booting one, the oldest
	 * first, never one that is leaving.
	 * @return the spare, {@code null} if none may be taken
	 */
	@Nullable WorkerHandle best() {
		WorkerHandle booting = null;
		for (WorkerHandle spare : this.live) {
			if (spare.isLeaving()) {
				continue;
			}
			if (spare.state() == WorkerState.READY) {
				return spare;
			}
			if (spare.state() == WorkerState.STARTING && booting == null) {
				booting = spare;
			}
		}
		return booting;
	}

	/**
	 * Whether another spare should boot now.
	 * @param slotWorkerBooting whether a worker boots for a slot (a spare would slow it)
	 * @param now the time
	 * @return {@code true} to start one
	 */
	boolean wantsOne(boolean slotWorkerBooting, Instant now) {
		if (this.wanted == 0 || this.gaveUpReason != null || slotWorkerBooting
				|| (this.nextAt != null && now.isBefore(this.nextAt))) {
			return false;
		}
		int waiting = 0;
		for (WorkerHandle spare : this.live) {
			if (spare.isLeaving()) {
				continue;
			}
			if (spare.state() == WorkerState.STARTING) {
				// One at a time: each boot has the spare CPU to itself.
				return false;
			}
			waiting++;
		}
		return waiting < this.wanted;
	}

	void started(WorkerHandle spare) {
		this.live.add(spare);
	}

	/**
	 * A spare takes a slot: it is no spare any more.
	 * @param spare the spare
	 */
	void taken(WorkerHandle spare) {
		this.live.remove(spare);
	}

	public void ready(WorkerHandle spare) {
		this.failuresInARow = 0;
	}

	/**
	 * A spare process ended.
	 * @param spare the spare
	 * @param failed whether it ended without being asked to
	 * @param now the time
	 * @return whether it was a spare
	 */
	boolean ended(WorkerHandle spare, boolean failed, Instant now) {
		if (!this.live.remove(spare)) {
			return false;
		}
		if (failed) {
			failed(spare + " ended without being asked to", now);
		}
		return true;
	}

	/**
	 * Starting a spare failed, or a spare failed.
	 * @param what what happened
	 * @param now the time
	 */
	void failed(String what, Instant now) {
		this.failuresInARow++;
		if (this.failuresInARow >= this.policy.getMaxBootFailures()) {
			this.gaveUpReason = this.failuresInARow + " spare failures in a row";
			logger.error(what + "; spare workers given up after " + this.gaveUpReason
					+ " until the next reload (jproc.restart.max-boot-failures=" + this.policy.getMaxBootFailures()
					+ ")");
			return;
		}
		Duration delay = Slot.backoff(this.policy, this.failuresInARow);
		this.nextAt = now.plus(delay);
		logger.warn(what + "; the next spare boots in " + Durations.seconds(delay));
	}

	/**
	 * A reload begins: spares of the old build must never take a slot, and a new build
	 * may boot where the old one failed.
	 * @return the spares to stop
	 */
	List<WorkerHandle> reload() {
		this.failuresInARow = 0;
		this.nextAt = null;
		this.gaveUpReason = null;
		return this.live.stream().filter((spare) -> !spare.isLeaving()).toList();
	}

	public @Nullable String gaveUpReason() {
		return this.gaveUpReason;
	}

}
