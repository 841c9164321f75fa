package io.jproc.master.process;

import java.time.Duration;
import java.time.Instant;

import io.jproc.WorkerEnvironment;
import io.jproc.ipc.Message;
import io.jproc.ipc.MessageChannel;
import org.jspecify.annotations.Nullable;

/**
 * One worker process as the master knows it. Changed only on the arbiter thread.
 */
public final class WorkerHandle {

	private volatile int id;

	private long placement;

	private final long pid;

	private final long generation;

	private final Instant spawnedAt;

	private final MessageChannel channel;

	private WorkerState state = WorkerState.STARTING;

	private @Nullable Instant readyAt;

	private @Nullable Instant lastHeartbeat;

	private Message.@Nullable Heartbeat figures;

	private @Nullable String leaveReason;

	private @Nullable Instant killAt;

	private @Nullable Exit exit;

	private @Nullable Boolean bootCacheUsed;

	public WorkerHandle(int id, long pid, long generation, Instant spawnedAt, MessageChannel channel) {
		this.id = id;
		this.pid = pid;
		this.generation = generation;
		this.spawnedAt = spawnedAt;
		this.channel = channel;
	}

	/**
	 * The slot this worker serves in, from 1; {@code 0} for a spare that has not taken a
	 * slot yet.
	 * @return the worker id
	 */
	public int id() {
		return this.id;
	}

	/**
	 * Whether this is a spare that has not taken a slot yet.
	 * @return {@code true} for a waiting spare
	 */
	public boolean isSpare() {
		return this.id == WorkerEnvironment.SPARE_ID;
	}

	/**
	 * The order in which workers were placed in slots: every worker placed later (spawned
	 * for a slot, or a spare that took one) has a higher one. A rolling operation is done
	 * with a slot once its worker was placed after the operation began.
	 * @return the placement, {@code 0} while the worker is a spare
	 */
	public long placement() {
		return this.placement;
	}

	/**
	 * Place the worker in a slot.
	 * @param slotId the slot
	 * @param order the pool's placement counter
	 */
	public void place(int slotId, long order) {
		this.id = slotId;
		this.placement = order;
	}

	public long pid() {
		return this.pid;
	}

	/**
	 * The worker's place in the order of spawns: every worker started later has a higher
	 * one. It names a spare ({@code spare #7}) and is never reused while the master runs.
	 * @return the generation, from 1
	 */
	public long generation() {
		return this.generation;
	}

	public WorkerState state() {
		return this.state;
	}

	public Instant spawnedAt() {
		return this.spawnedAt;
	}

	public @Nullable Instant readyAt() {
		return this.readyAt;
	}

	public @Nullable Instant lastHeartbeat() {
		return this.lastHeartbeat;
	}

	public Message.@Nullable Heartbeat figures() {
		return this.figures;
	}

	public @Nullable Exit exit() {
		return this.exit;
	}

	/**
	 * Why the master asked this worker to leave.
	 * @return the reason, {@code null} while nobody asked
	 */
	public @Nullable String leaveReason() {
		return this.leaveReason;
	}

	public MessageChannel channel() {
		return this.channel;
	}

	public @Nullable Instant killAt() {
		return this.killAt;
	}

	public void killAt(@Nullable Instant deadline) {
		this.killAt = deadline;
	}

	/**
	 * Whether the master asked this worker to leave, so its exit is no failure.
	 * @return {@code true} once stop or retirement was decided
	 */
	public boolean isLeaving() {
		return this.leaveReason != null;
	}

	public void leaving(String reason) {
		if (this.leaveReason == null) {
			this.leaveReason = reason;
		}
	}

	public void moveTo(WorkerState target) {
		if (this.state == target) {
			return;
		}
		if (!this.state.canMoveTo(target)) {
			throw new IllegalStateException("worker " + this.id + " cannot move from " + this.state + " to " + target);
		}
		this.state = target;
	}

	public void ready(Instant at) {
		moveTo(WorkerState.READY);
		this.readyAt = at;
		this.lastHeartbeat = at;
	}

	public void ready(Instant at, boolean bootCacheUsed) {
		ready(at);
		this.bootCacheUsed = bootCacheUsed;
	}

	/**
	 * Whether the worker's JVM mapped the boot cache's class archive, as it reported.
	 * @return {@code null} until it is ready
	 */
	public @Nullable Boolean bootCacheUsed() {
		return this.bootCacheUsed;
	}

	public void heartbeat(Instant at, Message.Heartbeat figures) {
		this.lastHeartbeat = at;
		this.figures = figures;
	}

	public void exited(Exit exit) {
		this.exit = exit;
		this.state = WorkerState.EXITED;
	}

	public Duration bootTime() {
		return (this.readyAt != null) ? Duration.between(this.spawnedAt, this.readyAt) : Duration.ZERO;
	}

	@Override
	public String toString() {
		return (isSpare() ? "spare #" + this.generation : "worker " + this.id) + " (pid " + this.pid + ")";
	}

}
