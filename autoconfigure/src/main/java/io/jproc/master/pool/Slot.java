package io.jproc.master.pool;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.jproc.JprocProperties;
import io.jproc.master.process.Exit;
import io.jproc.master.process.WorkerHandle;
import io.jproc.master.process.WorkerState;
import org.jspecify.annotations.Nullable;

/**
 * One place in the pool, identified by the worker id, and the one owner of its truth: the
 * worker serving in it ({@link #current()}), at most one worker on its way in
 * ({@link #incoming()}, with the reason it comes), the workers leaving it, and its
 * restart history. Every flow that needs a new worker for the slot says so with
 * {@link #want(Replacement)}; the pool's reconciling step alone starts it, and never a
 * second one while one is on its way. Changed only on the arbiter thread, through
 * {@link Pool}.
 */
public final class Slot {

	private static final double BACKOFF_FACTOR = 1.5;

	private final int id;

	private final JprocProperties.Restart policy;

	private final Deque<Instant> failures = new ArrayDeque<>();

	private final Map<String, Integer> restartsByReason = new TreeMap<>();

	private final List<WorkerHandle> leaving = new ArrayList<>();

	private @Nullable WorkerHandle current;

	private @Nullable WorkerHandle incoming;

	private @Nullable Replacement incomingReason;

	private @Nullable Replacement wanted;

	private boolean removed;

	private int restarts;

	private int bootFailuresInARow;

	private int quickFailuresInARow;

	private @Nullable Instant respawnAt;

	private @Nullable String lastExitReason;

	private @Nullable Exit lastExit;

	private @Nullable Instant lastExitAt;

	private @Nullable String gaveUpReason;

	public Slot(int id, JprocProperties.Restart policy) {
		this.id = id;
		this.policy = policy;
	}

	public int id() {
		return this.id;
	}

	/**
	 * The worker serving in this slot: it became ready and has not left.
	 * @return the worker, {@code null} while the slot has none
	 */
	public @Nullable WorkerHandle current() {
		return this.current;
	}

	/**
	 * The worker booting to take this slot over.
	 * @return the worker, {@code null} if none is on its way
	 */
	public @Nullable WorkerHandle incoming() {
		return this.incoming;
	}

	/**
	 * Why the incoming worker was started.
	 * @return the reason, {@code null} without an incoming worker
	 */
	public @Nullable Replacement incomingReason() {
		return this.incomingReason;
	}

	/**
	 * The workers that left this slot and have not exited yet.
	 * @return the leaving workers, oldest first
	 */
	public List<WorkerHandle> leaving() {
		return List.copyOf(this.leaving);
	}

	/**
	 * Why the slot wants a new worker, if it does.
	 * @return the reason, {@code null} when the slot is content
	 */
	public @Nullable Replacement wanted() {
		return this.wanted;
	}

	/**
	 * Whether a worker is this slot's: serving, incoming or leaving.
	 * @param worker the worker
	 * @return {@code true} if the slot references it
	 */
	boolean holds(WorkerHandle worker) {
		return this.current == worker || this.incoming == worker || this.leaving.contains(worker);
	}

	/**
	 * Whether the slot holds no process at all.
	 * @return {@code true} when it has no current, incoming or leaving worker
	 */
	boolean isEmpty() {
		return this.current == null && this.incoming == null && this.leaving.isEmpty();
	}

	/**
	 * Ask for a new worker in this slot. The request is merged with any earlier one: the
	 * slot starts one worker for all of them, or reuses the one already on its way.
	 * @param why the reason; a failure outranks a plan
	 */
	public void want(Replacement why) {
		if (this.wanted == null || (why.isFailure() && !this.wanted.isFailure())) {
			this.wanted = why;
		}
	}

	/**
	 * Withdraw a planned request for a new worker (a reload or restart that stopped).
	 * @param why the reason to withdraw; a different reason stays
	 */
	public void unwant(Replacement why) {
		if (this.wanted == why) {
			this.wanted = null;
		}
	}

	/**
	 * Whether the reconciling step should start a worker for this slot now.
	 * @param now the time
	 * @return {@code true} if the slot wants one, has none on its way, is not backing
	 * off, given up or removed
	 */
	boolean needsSpawn(Instant now) {
		return !this.removed && this.gaveUpReason == null && this.incoming == null && need() != null
				&& (this.respawnAt == null || !now.isBefore(this.respawnAt));
	}

	/**
	 * Why the slot needs a new worker, level-triggered: what a flow asked for, or else
	 * what the slot's state says by itself (no serving worker, or one waiting to retire),
	 * so that no withdrawn request can leave a slot without a worker.
	 * @return the reason, {@code null} if the slot's serving worker is to stay
	 */
	@Nullable Replacement need() {
		if (this.wanted != null) {
			return this.wanted;
		}
		if (this.current == null) {
			return Replacement.CRASH;
		}
		return (this.current.state() == WorkerState.RETIRING) ? Replacement.PLANNED : null;
	}

	/**
	 * A worker was started for this slot: it is the incoming one until it is ready.
	 * @param worker the new worker
	 */
	public void spawned(WorkerHandle worker) {
		if (this.incoming != null) {
			throw new IllegalStateException("worker " + this.id + " already has an incoming worker: " + this.incoming);
		}
		Replacement need = need();
		Replacement why = (need != null) ? need : Replacement.START;
		this.incoming = worker;
		this.incomingReason = why;
		this.respawnAt = null;
		if (why.isRestart()) {
			this.restarts++;
			this.restartsByReason.merge(why.wireName(), 1, Integer::sum);
		}
	}

	/**
	 * The incoming worker is ready: it takes the slot over, and the worker it replaces,
	 * if any, joins the leaving ones.
	 * @return the replaced worker, {@code null} if the slot had none
	 */
	public @Nullable WorkerHandle promote() {
		WorkerHandle old = this.current;
		this.current = this.incoming;
		this.incoming = null;
		this.incomingReason = null;
		this.wanted = null;
		this.bootFailuresInARow = 0;
		if (old != null) {
			this.leaving.add(old);
		}
		return old;
	}

	/**
	 * A worker of this slot stops serving or booting here (stopped, retired urgently,
	 * hung): it joins the leaving ones.
	 * @param worker the worker
	 */
	public void release(WorkerHandle worker) {
		if (this.current == worker) {
			this.current = null;
		}
		else if (this.incoming == worker) {
			this.incoming = null;
			this.incomingReason = null;
		}
		else {
			return;
		}
		this.leaving.add(worker);
	}

	/**
	 * A worker of this slot ended: forget it.
	 * @param worker the worker
	 * @return what it was to the slot
	 */
	Role forget(WorkerHandle worker) {
		if (this.current == worker) {
			this.current = null;
			return Role.CURRENT;
		}
		if (this.incoming == worker) {
			this.incoming = null;
			this.incomingReason = null;
			return Role.INCOMING;
		}
		return this.leaving.remove(worker) ? Role.LEAVING : Role.NONE;
	}

	public boolean isRemoved() {
		return this.removed;
	}

	/**
	 * The slot was removed by a scale-down: it wants nothing any more.
	 */
	void remove() {
		this.removed = true;
		this.wanted = null;
		this.respawnAt = null;
	}

	public int restarts() {
		return this.restarts;
	}

	/**
	 * The restarts by reason, named as {@link Replacement#wireName()}.
	 * @return a copy of the counts by reason
	 */
	public Map<String, Integer> restartsByReason() {
		return Map.copyOf(this.restartsByReason);
	}

	public @Nullable Instant respawnAt() {
		return this.respawnAt;
	}

	/**
	 * Hold the next start back until a time, or release the hold.
	 * @param at the earliest start, {@code null} for none
	 */
	public void respawnAt(@Nullable Instant at) {
		this.respawnAt = at;
	}

	public boolean gaveUp() {
		return this.gaveUpReason != null;
	}

	public @Nullable String gaveUpReason() {
		return this.gaveUpReason;
	}

	public @Nullable Exit lastExit() {
		return this.lastExit;
	}

	public @Nullable String lastExitReason() {
		return this.lastExitReason;
	}

	public @Nullable Instant lastExitAt() {
		return this.lastExitAt;
	}

	/**
	 * Record how one of the slot's workers ended, expected or not.
	 * @param exit its exit
	 * @param reason why, as the master logs it
	 * @param at when the master saw it
	 */
	public void recordExit(Exit exit, String reason, Instant at) {
		this.lastExit = exit;
		this.lastExitReason = reason;
		this.lastExitAt = at;
	}

	/**
	 * An operator asked for this slot to be started again: forget its failures.
	 */
	public void revive() {
		this.gaveUpReason = null;
		this.bootFailuresInARow = 0;
		this.quickFailuresInARow = 0;
		this.failures.clear();
		this.respawnAt = null;
	}

	/**
	 * One of the slot's workers failed: it ended without being asked, never became ready,
	 * or retired for a fatal reason. Decides how soon the next one starts, or gives the
	 * slot up, so that a worker that cannot boot or keeps crashing never becomes a fork
	 * storm.
	 * @param worker the worker
	 * @param bootFailure whether it failed before it was ready
	 * @param now the time of the failure
	 * @return the delay before the next worker, or {@code null} if the slot is given up
	 */
	public @Nullable Duration onFailure(WorkerHandle worker, boolean bootFailure, Instant now) {
		this.failures.addLast(now);
		Instant windowStart = now.minus(this.policy.getWindow());
		while (!this.failures.isEmpty() && this.failures.peekFirst().isBefore(windowStart)) {
			this.failures.removeFirst();
		}
		this.bootFailuresInARow = bootFailure ? this.bootFailuresInARow + 1 : 0;
		boolean quick = Duration.between(worker.spawnedAt(), now).compareTo(this.policy.getMinUptime()) < 0;
		this.quickFailuresInARow = quick ? this.quickFailuresInARow + 1 : 0;
		if (this.bootFailuresInARow >= this.policy.getMaxBootFailures()) {
			giveUp(this.bootFailuresInARow + " boot failures in a row");
			return null;
		}
		if (this.failures.size() > this.policy.getMaxRestarts()) {
			giveUp(this.failures.size() + " failures within " + this.policy.getWindow().toSeconds()
					+ " s (jproc.restart.max-restarts=" + this.policy.getMaxRestarts() + ")");
			return null;
		}
		Duration delay = backoff();
		this.respawnAt = delay.isZero() ? null : now.plus(delay);
		return delay;
	}

	private void giveUp(String why) {
		this.gaveUpReason = why;
		this.respawnAt = null;
	}

	private Duration backoff() {
		return (this.quickFailuresInARow <= 1) ? Duration.ZERO : backoff(this.policy, this.quickFailuresInARow - 1);
	}

	/**
	 * The delay before the next try after failures: {@code initial-backoff} after the
	 * first, growing by half each time, at most {@code max-backoff}.
	 * @param policy the restart policy
	 * @param failures the failures so far, from 1
	 * @return the delay
	 */
	static Duration backoff(JprocProperties.Restart policy, int failures) {
		double millis = policy.getInitialBackoff().toMillis() * Math.pow(BACKOFF_FACTOR, Math.max(0, failures - 1));
		return Duration.ofMillis((long) Math.min(millis, policy.getMaxBackoff().toMillis()));
	}

	@Override
	public String toString() {
		return "slot " + this.id + " [current=" + this.current + ", incoming=" + this.incoming + " ("
				+ this.incomingReason + "), leaving=" + this.leaving + ", wanted=" + this.wanted
				+ (gaveUp() ? ", given up" : "") + "]";
	}

	/** What a worker is to its slot. */
	public enum Role {

		/** Serving in it. */
		CURRENT,

		/** Booting to take it over. */
		INCOMING,

		/** On its way out. */
		LEAVING,

		/** Not referenced: a bug if it is alive. */
		NONE

	}

}
