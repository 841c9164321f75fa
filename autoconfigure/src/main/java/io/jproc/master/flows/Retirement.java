package io.jproc.master.flows;

import java.time.Duration;
import java.time.Instant;

import io.jproc.master.process.Durations;
import io.jproc.master.process.Exit;
import io.jproc.master.process.WorkerHandle;
import io.jproc.master.process.WorkerState;
import org.jspecify.annotations.Nullable;

/**
 * One worker on its way out because it asked to be replaced or went silent, with the
 * moments the master needs for its one log line about it. Changed only on the arbiter
 * thread.
 */
final class Retirement {

	private final WorkerHandle worker;

	private final Instant askedAt;

	private Kind kind;

	private String reason;

	private @Nullable Instant startedAt;

	private @Nullable Instant deadline;

	private @Nullable WorkerHandle replacement;

	private @Nullable Instant replacementReadyAt;

	private @Nullable Instant drainStartedAt;

	private @Nullable Instant drainedAt;

	private long unfinished;

	private @Nullable Instant termAt;

	private @Nullable Instant killedAt;

	private @Nullable Exit exit;

	private @Nullable Instant exitedAt;

	Retirement(WorkerHandle worker, Kind kind, String reason, Instant askedAt) {
		this.worker = worker;
		this.kind = kind;
		this.reason = reason;
		this.askedAt = askedAt;
	}

	WorkerHandle worker() {
		return this.worker;
	}

	Kind kind() {
		return this.kind;
	}

	String reason() {
		return this.reason;
	}

	/**
	 * Make this retirement more severe: an urgent or hung retirement replaces a planned
	 * one.
	 * @param to the more severe kind
	 * @param why the reason for it
	 * @return whether it changed
	 */
	boolean escalate(Kind to, String why) {
		if (to.ordinal() <= this.kind.ordinal()) {
			return false;
		}
		this.kind = to;
		this.reason = why;
		return true;
	}

	/**
	 * Whether the replacement was started (planned retirements may wait their turn).
	 * @return whether it was started
	 */
	boolean isStarted() {
		return this.startedAt != null;
	}

	/**
	 * The replacement was started, or is left to the slot's restart policy.
	 * @param at when it was started
	 * @param replacement the replacement worker, {@code null} when it is left to the
	 * slot's restart policy
	 * @param deadline for a planned retirement, when the old worker drains even without
	 * its replacement ready
	 */
	void started(Instant at, @Nullable WorkerHandle replacement, @Nullable Instant deadline) {
		this.startedAt = at;
		this.replacement = replacement;
		this.deadline = deadline;
	}

	@Nullable Instant deadline() {
		return this.deadline;
	}

	boolean awaitsReplacement() {
		return this.replacementReadyAt == null;
	}

	@Nullable WorkerHandle replacement() {
		return this.replacement;
	}

	void replacement(WorkerHandle started) {
		this.replacement = started;
	}

	void replacementReady(WorkerHandle ready, Instant at) {
		this.replacement = ready;
		this.replacementReadyAt = at;
		this.deadline = null;
	}

	void replaceTimedOut() {
		this.deadline = null;
	}

	void drainStarted(Instant at) {
		if (this.drainStartedAt == null) {
			this.drainStartedAt = at;
		}
	}

	void drained(long unfinished, Instant at) {
		this.drainedAt = at;
		this.unfinished = unfinished;
	}

	@Nullable Instant termAt() {
		return this.termAt;
	}

	void termAt(@Nullable Instant at) {
		this.termAt = at;
	}

	void killed(Instant at) {
		this.killedAt = at;
	}

	void exited(Exit how, Instant at) {
		this.exit = how;
		this.exitedAt = at;
	}

	boolean hasExited() {
		return this.exitedAt != null;
	}

	@Nullable Instant exitedAt() {
		return this.exitedAt;
	}

	/**
	 * Whether the story is over: the worker has exited and its replacement is ready, or
	 * none is coming.
	 * @param noneComing whether the slot was given up
	 * @return {@code true} when the line can be logged
	 */
	boolean isComplete(boolean noneComing) {
		if (this.exitedAt == null) {
			return false;
		}
		if (this.replacementReadyAt != null || noneComing) {
			return true;
		}
		return this.replacement != null
				&& (this.replacement.state() == WorkerState.EXITED || this.replacement.isLeaving());
	}

	/**
	 * Whether the worker exited cleanly, as asked.
	 * @return {@code true} for exit code 0
	 */
	boolean exitedCleanly() {
		return this.exit != null && this.exit.code() == 0;
	}

	/**
	 * The one line the master logs for this retirement, once the worker has exited.
	 * @return the line
	 */
	String summary() {
		StringBuilder line = new StringBuilder().append(this.worker)
			.append((this.kind == Kind.HUNG) ? " killed (" : " retired (")
			.append(this.reason)
			.append("): asked");
		if (this.startedAt != null && Duration.between(this.askedAt, this.startedAt).toMillis() >= 100) {
			line.append(", its turn came ").append(offset(this.startedAt));
		}
		if (this.replacement != null) {
			line.append(", replacement pid ").append(this.replacement.pid());
			line.append(this.replacement.spawnedAt().isBefore(this.askedAt) ? " already booting"
					: " started " + offset(this.replacement.spawnedAt()));
			line.append((this.replacementReadyAt != null) ? " and ready " + offset(this.replacementReadyAt)
					: " but not ready");
		}
		else {
			line.append(", no replacement (slot given up or removed)");
		}
		if (this.drainedAt != null) {
			line.append(", drained ").append(offset(this.drainedAt));
			if (this.unfinished > 0) {
				line.append(" (").append(this.unfinished).append(" requests cut off by jproc.drain-timeout)");
			}
		}
		else {
			line.append(", not drained");
		}
		if (this.killedAt != null) {
			line.append(", killed (SIGKILL) ").append(offset(this.killedAt)).append(" past its deadline");
		}
		line.append(", exited ").append(offset(this.exitedAt)).append(" with ").append(this.exit);
		return line.toString();
	}

	private String offset(Instant at) {
		return "+" + Durations.seconds(Duration.between(this.askedAt, at));
	}

	/** Why a worker leaves, from the mildest to the most severe. */
	enum Kind {

		/** Recycling or the application's own request: replaced first, then drained. */
		PLANNED,

		/**
		 * Fatal error or broken liveness: stopped accepting at once, drains while
		 * replaced.
		 */
		URGENT,

		/**
		 * Silent past {@code jproc.heartbeat.timeout}: thread dump, SIGTERM, then
		 * SIGKILL.
		 */
		HUNG

	}

}
