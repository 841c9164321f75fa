package io.jproc.master.relay;

import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

/**
 * Who leads the pool: a pure state machine, owned by the arbiter thread and driven by a
 * few calls (a worker is ready, is leaving, was reaped, acknowledged a revoke, yields).
 * <p>
 * The epoch only grows. Epoch {@code e + 1} is granted only once the holder of {@code e}
 * can no longer act: it acknowledged the revoke (its leader-only work has stopped), or
 * its process was reaped. Until then nobody else leads, even when the holder is hung:
 * that gap is the price of never having two leaders.
 * <p>
 * The states: nobody leads ({@code holder == null}); a worker leads; a worker is being
 * revoked ({@code revoking}, it still counts as the holder). Leadership is sticky: a
 * newer or lower-numbered worker becoming ready does not take it.
 */
final class Leadership {

	private final Actions actions;

	/** Ready workers not leaving, by pid, with their slot id. */
	private final Map<Long, Integer> candidates = new TreeMap<>();

	private long epoch;

	private @Nullable Long holder;

	private int holderSlot;

	private boolean revoking;

	private @Nullable Long yielded;

	private boolean stopped;

	Leadership(Actions actions) {
		this.actions = actions;
	}

	/**
	 * A worker is ready to take traffic (and leadership).
	 * @param slot its slot id
	 * @param pid its pid
	 */
	void ready(int slot, long pid) {
		this.candidates.put(pid, slot);
		grantIfFree();
	}

	/**
	 * A worker is on its way out (planned or not): it may not be granted, and if it leads
	 * it is asked to stop, before it drains.
	 * @param pid its pid
	 */
	void leaving(long pid) {
		this.candidates.remove(pid);
		if (isHolder(pid) && !this.revoking) {
			this.revoking = true;
			this.actions.revoke(pid, this.epoch);
		}
	}

	/**
	 * A worker's process ended and was reaped: it can no longer act.
	 * @param pid its pid
	 */
	void reaped(long pid) {
		this.candidates.remove(pid);
		if (pid == this.holderOrZero()) {
			this.actions.lost(pid, this.epoch, this.revoking ? "reaped before it acknowledged the revoke" : "reaped");
			free();
		}
	}

	/**
	 * The holder acknowledged a revoke: its leader-only work has stopped.
	 * @param pid the worker
	 * @param epoch the epoch it gave up
	 */
	void revokeAcked(long pid, long epoch) {
		if (isHolder(pid) && epoch == this.epoch && this.revoking) {
			free();
		}
	}

	/**
	 * The leader asks to give leadership to another worker. It stays a candidate, and is
	 * granted again only if no other worker is ready.
	 * @param pid the worker
	 * @param epoch the epoch it holds
	 */
	void yield(long pid, long epoch) {
		if (isHolder(pid) && epoch == this.epoch && !this.revoking) {
			this.yielded = pid;
			this.revoking = true;
			this.actions.revoke(pid, this.epoch);
		}
	}

	/**
	 * The master shuts down: grant no more.
	 */
	void stop() {
		this.stopped = true;
	}

	private void free() {
		this.holder = null;
		this.holderSlot = 0;
		this.revoking = false;
		grantIfFree();
	}

	private void grantIfFree() {
		if (this.holder != null || this.candidates.isEmpty() || this.stopped) {
			return;
		}
		Map.Entry<Long, Integer> chosen = null;
		for (Map.Entry<Long, Integer> candidate : this.candidates.entrySet()) {
			boolean skip = candidate.getKey().equals(this.yielded) && this.candidates.size() > 1;
			if (!skip && (chosen == null || candidate.getValue() < chosen.getValue())) {
				chosen = candidate;
			}
		}
		this.yielded = null;
		this.epoch++;
		this.holder = chosen.getKey();
		this.holderSlot = chosen.getValue();
		this.actions.grant(chosen.getKey(), this.epoch);
	}

	private boolean isHolder(long pid) {
		return this.holder != null && this.holder == pid;
	}

	private long holderOrZero() {
		return (this.holder != null) ? this.holder : 0;
	}

	/**
	 * The latest epoch granted, {@code 0} before the first.
	 * @return the epoch
	 */
	long epoch() {
		return this.epoch;
	}

	/**
	 * The worker holding the current epoch (leading, or being revoked).
	 * @return its pid, {@code null} when nobody leads
	 */
	@Nullable Long holder() {
		return this.holder;
	}

	/**
	 * The slot of the holder.
	 * @return its slot id, {@code 0} when nobody leads
	 */
	int holderSlot() {
		return this.holderSlot;
	}

	/**
	 * Whether the holder has been asked to stop and has not yet acknowledged.
	 * @return {@code true} while revoking
	 */
	boolean isRevoking() {
		return this.revoking;
	}

	/**
	 * What the state machine asks the pool to do.
	 */
	interface Actions {

		/**
		 * Tell a worker it leads with this epoch.
		 * @param pid the worker
		 * @param epoch the epoch
		 */
		void grant(long pid, long epoch);

		/**
		 * Ask the holder to stop leading.
		 * @param pid the worker
		 * @param epoch the epoch
		 */
		void revoke(long pid, long epoch);

		/**
		 * The holder ended without acknowledging; for the log.
		 * @param pid the worker
		 * @param epoch its epoch
		 * @param how what happened
		 */
		default void lost(long pid, long epoch, String how) {
		}

	}

}
