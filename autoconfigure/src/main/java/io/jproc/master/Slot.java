package io.jproc.master;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;

import io.jproc.JprocProperties;
import org.jspecify.annotations.Nullable;

/**
 * One place in the pool, identified by the worker id, and its restart history. Decides
 * how soon a failed worker is replaced and when to give the slot up, so that a worker
 * that cannot boot or keeps crashing never becomes a fork storm.
 */
final class Slot {

	private static final double BACKOFF_FACTOR = 1.5;

	private final int id;

	private final JprocProperties.Restart policy;

	private final Deque<Instant> failures = new ArrayDeque<>();

	private final Map<String, Integer> restartsByReason = new TreeMap<>();

	private @Nullable WorkerHandle current;

	private int restarts;

	private int bootFailuresInARow;

	private int quickFailuresInARow;

	private @Nullable Instant respawnAt;

	private @Nullable String lastExitReason;

	private @Nullable Exit lastExit;

	private @Nullable Instant lastExitAt;

	private @Nullable String gaveUpReason;

	Slot(int id, JprocProperties.Restart policy) {
		this.id = id;
		this.policy = policy;
	}

	int id() {
		return this.id;
	}

	@Nullable WorkerHandle current() {
		return this.current;
	}

	void current(@Nullable WorkerHandle worker) {
		this.current = worker;
	}

	int restarts() {
		return this.restarts;
	}

	/**
	 * The restarts by reason: {@code crash}, {@code boot-failure}, {@code planned}.
	 */
	Map<String, Integer> restartsByReason() {
		return Map.copyOf(this.restartsByReason);
	}

	private void countRestart(String reason) {
		this.restarts++;
		this.restartsByReason.merge(reason, 1, Integer::sum);
	}

	@Nullable Instant respawnAt() {
		return this.respawnAt;
	}

	void respawnAt(@Nullable Instant at) {
		this.respawnAt = at;
	}

	boolean gaveUp() {
		return this.gaveUpReason != null;
	}

	@Nullable String gaveUpReason() {
		return this.gaveUpReason;
	}

	@Nullable Exit lastExit() {
		return this.lastExit;
	}

	@Nullable String lastExitReason() {
		return this.lastExitReason;
	}

	@Nullable Instant lastExitAt() {
		return this.lastExitAt;
	}

	/**
	 * Record how the slot's worker ended, expected or not.
	 */
	void recordExit(Exit exit, String reason, Instant at) {
		this.lastExit = exit;
		this.lastExitReason = reason;
		this.lastExitAt = at;
	}

	/**
	 * An operator asked for this slot to be started again: forget its failures.
	 */
	void revive() {
		this.gaveUpReason = null;
		this.bootFailuresInARow = 0;
		this.quickFailuresInARow = 0;
		this.failures.clear();
	}

	/**
	 * The slot's worker became ready: a healthy boot ends any run of boot failures.
	 */
	void onReady() {
		this.bootFailuresInARow = 0;
	}

	/**
	 * A replacement was started for a planned reason; it does not count as a failure.
	 */
	void onPlannedReplacement() {
		countRestart("planned");
	}

	/**
	 * The slot's worker ended without being asked, or retired for a fatal reason.
	 * @param worker the worker
	 * @param now the time of the exit
	 * @return the delay before the replacement, or {@code null} if the slot is given up
	 */
	@Nullable Duration onFailure(WorkerHandle worker, boolean bootFailure, Instant now) {
		countRestart(bootFailure ? "boot-failure" : "crash");
		this.failures.addLast(now);
		Instant windowStart = now.minus(this.policy.getWindow());
		while (!this.failures.isEmpty() && this.failures.peekFirst().isBefore(windowStart)) {
			this.failures.removeFirst();
		}
		this.bootFailuresInARow = bootFailure ? this.bootFailuresInARow + 1 : 0;
		boolean quick = Duration.between(worker.spawnedAt(), now).compareTo(this.policy.getMinUptime()) < 0;
		this.quickFailuresInARow = quick ? this.quickFailuresInARow + 1 : 0;
		if (this.bootFailuresInARow >= this.policy.getMaxBootFailures()) {
			this.gaveUpReason = this.bootFailuresInARow + " boot failures in a row";
			return null;
		}
		if (this.failures.size() > this.policy.getMaxRestarts()) {
			this.gaveUpReason = this.failures.size() + " failures within " + this.policy.getWindow().toSeconds()
					+ " s (jproc.restart.max-restarts=" + this.policy.getMaxRestarts() + ")";
			return null;
		}
		return backoff();
	}

	private Duration backoff() {
		if (this.quickFailuresInARow <= 1) {
			return Duration.ZERO;
		}
		double millis = this.policy.getInitialBackoff().toMillis()
				* Math.pow(BACKOFF_FACTOR, this.quickFailuresInARow - 2);
		return Duration.ofMillis((long) Math.min(millis, this.policy.getMaxBackoff().toMillis()));
	}

}
