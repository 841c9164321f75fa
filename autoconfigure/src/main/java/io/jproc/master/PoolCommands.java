package io.jproc.master;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.jproc.JprocProperties;
import io.jproc.WorkerCount;
import io.jproc.ipc.Message;
import io.jproc.ipc.Message.CommandResult;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Operations on a running pool, from signals (HUP, TTIN, TTOU) or the actuator: rolling
 * reload, scaling, and restarting one worker. Owned by the arbiter thread.
 * <p>
 * Reload and restart never trade a working pool for a broken one: a new worker boots
 * beside the one it replaces, which keeps serving; only once the new one is ready is the
 * old one drained. A new worker that fails or is not ready within
 * {@code jproc.reload.ready-timeout} stops the operation, and the old workers keep
 * serving.
 */
final class PoolCommands {

	private static final Log logger = LogFactory.getLog(PoolCommands.class);

	private final JprocProperties properties;

	private final Pool pool;

	private final Deque<WorkerHandle> pending = new ArrayDeque<>();

	/** New worker to the old one it replaces, while the new one boots. */
	private final Map<WorkerHandle, WorkerHandle> incoming = new LinkedHashMap<>();

	/** New workers killed because their operation failed, until they have exited. */
	private final java.util.Set<WorkerHandle> abandoned = new java.util.HashSet<>();

	private @Nullable Rollout rollout;

	private Message.PoolStatus.@Nullable Operation last;

	PoolCommands(JprocProperties properties, Pool pool) {
		this.properties = properties;
		this.pool = pool;
	}

	/**
	 * Carry out a command from a worker.
	 * @param command the command
	 * @param now the time
	 * @return accepted, or refused with the reason
	 */
	CommandResult execute(Message.Command command, String trigger, Instant now) {
		String action = String.valueOf(command.action());
		if (action.equals("reload")) {
			return reload(trigger, now);
		}
		if (action.equals("scale")) {
			if (command.workers() == null) {
				return refuse("invalid", "scale needs 'workers', the wanted number of workers");
			}
			return scale(command.workers(), trigger, now);
		}
		if (action.equals("restart")) {
			if (command.id() == null) {
				return refuse("invalid", "restart needs the id of the worker to restart");
			}
			return restart(command.id(), trigger, now);
		}
		return refuse("invalid", "unknown action '" + action + "'; the actions are reload, scale and restart");
	}

	/**
	 * Replace every serving worker, {@code jproc.reload.max-parallel} at a time.
	 */
	CommandResult reload(String trigger, Instant now) {
		CommandResult busy = busy();
		if (busy != null) {
			return busy;
		}
		List<WorkerHandle> serving = this.pool.slots()
			.stream()
			.map(Slot::current)
			.filter((worker) -> worker != null && worker.state() == WorkerState.READY)
			.toList();
		if (serving.isEmpty()) {
			return refuse("conflict", "no worker is ready to be reloaded");
		}
		this.pending.addAll(serving);
		this.rollout = new Rollout("reload", trigger, serving.size(), now);
		String message = "reload begun (" + trigger + "): replacing " + serving.size() + " workers, "
				+ this.properties.getReload().getMaxParallel() + " at a time";
		logger.info(message);
		step(now);
		return accept(message);
	}

	/**
	 * Replace one worker, the same way a reload does.
	 */
	CommandResult restart(int id, String trigger, Instant now) {
		CommandResult busy = busy();
		if (busy != null) {
			return busy;
		}
		Slot slot = this.pool.slots().stream().filter((candidate) -> candidate.id() == id).findFirst().orElse(null);
		if (slot == null) {
			return refuse("not-found", "no worker " + id + "; worker ids are 1 to " + this.pool.slots().size());
		}
		WorkerHandle worker = slot.current();
		if (worker == null) {
			String was = slot.gaveUp() ? "was given up" : "had no process";
			slot.revive();
			slot.respawnAt(null);
			this.pool.spawn(slot);
			String message = "worker " + id + " " + was + "; starting one now (" + trigger + ")";
			logger.info(message);
			return accept(message);
		}
		if (worker.state() != WorkerState.READY) {
			return refuse("conflict", worker + " is " + worker.state().name().toLowerCase(java.util.Locale.ROOT)
					+ "; only a ready worker can be restarted");
		}
		this.pending.add(worker);
		this.rollout = new Rollout("restart", trigger, 1, now);
		String message = "restart of " + worker + " begun (" + trigger + "): its replacement boots first";
		logger.info(message);
		step(now);
		return accept(message);
	}

	/**
	 * Change the number of worker slots. Scaling down drains the highest ids.
	 */
	CommandResult scale(int workers, String trigger, Instant now) {
		CommandResult busy = busy();
		if (busy != null) {
			return busy;
		}
		if (workers < 1 || workers > WorkerCount.MAX) {
			return refuse("invalid", "workers must be a whole number from 1 to " + WorkerCount.MAX + ", was "
					+ workers + "; to stop the pool send SIGTERM to the master");
		}
		int current = this.pool.slots().size();
		if (workers == current) {
			return accept("the pool already has " + workers + " workers");
		}
		String message = "scale from " + current + " to " + workers + " workers (" + trigger + ")";
		logger.info(message);
		if (workers > current) {
			for (int i = current; i < workers; i++) {
				this.pool.spawn(this.pool.addSlot());
			}
		}
		else {
			List<Slot> removed = List.copyOf(this.pool.slots().subList(workers, current));
			for (Slot slot : removed) {
				this.pool.removeSlot(slot);
				WorkerHandle worker = slot.current();
				if (worker != null && worker.state() != WorkerState.EXITED) {
					drain(worker, "scale down to " + workers, now);
				}
			}
		}
		this.last = new Message.PoolStatus.Operation("scale", trigger, "done", 0, 0, now, now, message);
		return accept(message);
	}

	/**
	 * A worker became ready.
	 * @return whether it was a new worker of a reload or restart (handled here)
	 */
	boolean onReady(WorkerHandle worker, Instant now) {
		WorkerHandle old = this.incoming.remove(worker);
		if (old == null) {
			return false;
		}
		Slot slot = this.pool.slotOf(worker);
		slot.current(worker);
		slot.onPlannedReplacement();
		if (old.state() != WorkerState.EXITED) {
			drain(old, this.rollout.action, now);
		}
		this.rollout.replaced++;
		logger.info(worker + " replaces pid " + old.pid() + " (" + this.rollout.action + " " + this.rollout.replaced
				+ " of " + this.rollout.total + "), ready in " + Arbiter.seconds(worker.bootTime()));
		step(now);
		return true;
	}

	/**
	 * A worker ended.
	 * @return whether it was a new worker of a reload or restart (handled here: the
	 * operation stops and the old workers keep serving)
	 */
	boolean onExited(WorkerHandle worker, Exit exit, Instant now) {
		if (this.abandoned.remove(worker)) {
			return true;
		}
		WorkerHandle old = this.incoming.remove(worker);
		if (old == null) {
			return false;
		}
		if (this.rollout != null && this.rollout.failure == null) {
			fail(worker + " exited with " + exit + " before it was ready", now);
		}
		return true;
	}

	/**
	 * Deadlines: a new worker not ready within {@code jproc.reload.ready-timeout} stops
	 * the operation.
	 */
	void tick(Instant now) {
		Duration timeout = this.properties.getReload().getReadyTimeout();
		for (WorkerHandle worker : List.copyOf(this.incoming.keySet())) {
			if (worker.state() == WorkerState.STARTING
					&& Duration.between(worker.spawnedAt(), now).compareTo(timeout) > 0) {
				fail(worker + " was not ready within jproc.reload.ready-timeout (" + Arbiter.seconds(timeout) + ")",
						now);
			}
		}
	}

	/**
	 * The master is shutting down: no new worker is started, booting ones are stopped.
	 */
	void abandon(Instant now) {
		if (this.rollout != null) {
			fail("the master is shutting down", now);
		}
	}

	/**
	 * Whether a worker is a new worker of a reload or restart that is still booting.
	 */
	boolean isIncoming(WorkerHandle worker) {
		return this.incoming.containsKey(worker);
	}

	Message.PoolStatus.@Nullable Operation status() {
		return (this.rollout != null) ? this.rollout.describe(null) : this.last;
	}

	private void step(Instant now) {
		Rollout current = this.rollout;
		if (current == null) {
			return;
		}
		while (this.incoming.size() < this.properties.getReload().getMaxParallel() && !this.pending.isEmpty()) {
			WorkerHandle old = this.pending.poll();
			Slot slot = this.pool.slotOf(old);
			if (old.state() != WorkerState.READY || slot.current() != old || !this.pool.slots().contains(slot)) {
				current.total--;
				continue;
			}
			WorkerHandle started = this.pool.spawnBeside(slot);
			if (started == null) {
				fail("worker " + slot.id() + "'s replacement could not be started", now);
				return;
			}
			this.incoming.put(started, old);
		}
		if (this.incoming.isEmpty() && this.pending.isEmpty()) {
			String message = current.action + " complete (" + current.trigger + "): " + current.replaced
					+ " workers replaced in " + Arbiter.seconds(Duration.between(current.startedAt, now));
			logger.info(message);
			this.last = current.describe(new Outcome("done", now, message));
			this.rollout = null;
		}
	}

	private void fail(String why, Instant now) {
		Rollout current = this.rollout;
		this.pending.clear();
		for (WorkerHandle booting : List.copyOf(this.incoming.keySet())) {
			this.abandoned.add(booting);
			this.pool.kill(booting);
		}
		this.incoming.clear();
		if (current == null) {
			return;
		}
		current.failure = why;
		String message = current.action + " stopped (" + current.trigger + "): " + why + "; " + current.replaced
				+ " of " + current.total + " workers were replaced and the others keep serving";
		logger.error(message);
		this.last = current.describe(new Outcome("failed", now, message));
		this.rollout = null;
	}

	private void drain(WorkerHandle worker, String reason, Instant now) {
		this.pool.stop(worker, reason,
				now.plus(this.properties.getDrainTimeout()).plus(Retirements.KILL_GRACE));
	}

	private @Nullable CommandResult busy() {
		if (!this.pool.isRunning()) {
			return refuse("conflict", "the master is shutting down");
		}
		if (this.rollout != null) {
			return refuse("conflict", "a " + this.rollout.action + " is running (" + this.rollout.replaced + " of "
					+ this.rollout.total + " workers replaced); try again when it has ended");
		}
		return null;
	}

	private static CommandResult accept(String message) {
		return new CommandResult(true, null, message);
	}

	private static CommandResult refuse(String refusal, String message) {
		logger.warn("refused: " + message);
		return new CommandResult(false, refusal, message);
	}

	private record Outcome(String state, Instant endedAt, String message) {
	}

	private static final class Rollout {

		final String action;

		final String trigger;

		final Instant startedAt;

		int total;

		int replaced;

		@Nullable String failure;

		Rollout(String action, String trigger, int total, Instant startedAt) {
			this.action = action;
			this.trigger = trigger;
			this.total = total;
			this.startedAt = startedAt;
		}

		Message.PoolStatus.Operation describe(@Nullable Outcome outcome) {
			return (outcome != null)
					? new Message.PoolStatus.Operation(this.action, this.trigger, outcome.state(), this.replaced,
							this.total, this.startedAt, outcome.endedAt(), outcome.message())
					: new Message.PoolStatus.Operation(this.action, this.trigger, "running", this.replaced, this.total,
							this.startedAt, null, this.action + " running: " + this.replaced + " of " + this.total
									+ " workers replaced");
		}

	}

	/**
	 * What pool operations need from the arbiter.
	 */
	interface Pool {

		/** The active slots, by id. */
		List<Slot> slots();

		/** The slot of a worker, active or removed by a scale-down. */
		Slot slotOf(WorkerHandle worker);

		/** Add a slot with the next id. */
		Slot addSlot();

		/** Remove a slot from the pool; its worker, if any, is drained by the caller. */
		void removeSlot(Slot slot);

		/** Start the slot's worker. */
		@Nullable WorkerHandle spawn(Slot slot);

		/** Start a worker for the slot beside its current one, which keeps serving. */
		@Nullable WorkerHandle spawnBeside(Slot slot);

		/** Ask a worker to drain and exit, killing it past the deadline. */
		void stop(WorkerHandle worker, String reason, Instant killAt);

		/** Kill a worker at once. */
		void kill(WorkerHandle worker);

		/** Whether the pool runs (not shutting down). */
		boolean isRunning();

	}

}
