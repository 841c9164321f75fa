package io.jproc.master.flows;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.jproc.JprocProperties;
import io.jproc.WorkerCap;
import io.jproc.WorkerCount;
import io.jproc.ipc.Message;
import io.jproc.ipc.Message.Command.Action;
import io.jproc.ipc.Message.CommandResult;
import io.jproc.ipc.Message.CommandResult.Refusal;
import io.jproc.ipc.PoolStatus;
import io.jproc.ipc.WireEnum;
import io.jproc.master.pool.Pool;
import io.jproc.master.pool.Replacement;
import io.jproc.master.pool.Slot;
import io.jproc.master.process.Durations;
import io.jproc.master.process.Exit;
import io.jproc.master.process.WorkerHandle;
import io.jproc.master.process.WorkerState;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Operations on a running pool, from signals (HUP, TTIN, TTOU) or the actuator: rolling
 * reload, scaling, and restarting one worker. Owned by the arbiter thread.
 * <p>
 * A reload is level-triggered: it is done with a slot once the slot's serving worker was
 * placed there after the reload began (a higher {@link WorkerHandle#placement()}; the
 * spares, which run the old build, leave when a reload begins). It never starts a worker
 * itself; it asks at most {@code jproc.reload.max-parallel} slots at a time for a new
 * worker, and a worker already on its way for another reason (crash, retirement) is
 * reused when it is new enough. Reload and restart never trade a working pool for a
 * broken one: the new worker boots beside the one it replaces, which keeps serving; a new
 * worker that fails or is not ready within {@code jproc.reload.ready-timeout} stops the
 * operation, and the old workers keep serving.
 * <p>
 * One operation at a time: a reload, a restart or a scale while a reload or restart runs
 * is refused (409). A scale up runs until its new workers are ready (or their slots were
 * given up); meanwhile a reload, a restart or another scale up is refused (409), so that
 * repeated SIGTTIN or scale calls cannot pile up booting JVMs; a scale down is taken, and
 * is how a scale up that asked for too much is undone. A scale above
 * {@code jproc.max-workers} is refused (400).
 */
public final class PoolCommands {

	private static final Log logger = LogFactory.getLog(PoolCommands.class);

	private final JprocProperties properties;

	private final Pool pool;

	private final java.util.function.BooleanSupplier running;

	private @Nullable Rollout rollout;

	/** The running scale up: the slots it added whose first worker is not ready yet. */
	private @Nullable Scaling scaling;

	private PoolStatus.@Nullable Operation last;

	public PoolCommands(JprocProperties properties, Pool pool, java.util.function.BooleanSupplier running) {
		this.properties = properties;
		this.pool = pool;
		this.running = running;
	}

	/**
	 * Carry out a command from a worker.
	 * @param command the command
	 * @param trigger who asked, for the log
	 * @param now the time
	 * @return accepted, or refused with the reason
	 */
	public CommandResult execute(Message.Command command, String trigger, Instant now) {
		Action action = command.action();
		if (action == null) { // a frame without one
			return refuse(Refusal.INVALID, "no action; the actions are " + WireEnum.wireNames(Action.class));
		}
		return switch (action) {
			case RELOAD -> reload(trigger, now);
			case SCALE -> (command.workers() != null) ? scale(command.workers(), trigger, now)
					: refuse(Refusal.INVALID, "scale needs 'workers', the wanted number of workers");
			case RESTART -> (command.id() != null) ? restart(command.id(), trigger, now)
					: refuse(Refusal.INVALID, "restart needs the id of the worker to restart");
		};
	}

	/**
	 * Replace every worker, {@code jproc.reload.max-parallel} at a time.
	 * @param trigger who asked, for the log
	 * @param now the time
	 * @return accepted, or refused with the reason
	 */
	public CommandResult reload(String trigger, Instant now) {
		CommandResult busy = busy();
		if (busy != null) {
			return busy;
		}
		List<Integer> ids = this.pool.slots()
			.stream()
			.filter((slot) -> slot.current() != null && slot.current().state().isServing())
			.map(Slot::id)
			.toList();
		if (ids.isEmpty()) {
			return refuse(Refusal.CONFLICT, "no worker is ready to be reloaded");
		}
		List<Integer> all = this.pool.slots().stream().filter((slot) -> !slot.gaveUp()).map(Slot::id).toList();
		this.pool.reloadSpares(now);
		this.rollout = new Rollout(Action.RELOAD, trigger, all, this.pool.placements(), now);
		String message = "reload begun (" + trigger + "): replacing " + all.size() + " workers, "
				+ this.properties.getReload().getMaxParallel() + " at a time";
		logger.info(message);
		step(now);
		return accept(message);
	}

	/**
	 * Replace one worker, the same way a reload does.
	 * @param id the id of the worker to replace
	 * @param trigger who asked, for the log
	 * @param now the time
	 * @return accepted, or refused with the reason
	 */
	CommandResult restart(int id, String trigger, Instant now) {
		CommandResult busy = busy();
		if (busy != null) {
			return busy;
		}
		Slot slot = this.pool.slot(id);
		if (slot == null) {
			return refuse(Refusal.NOT_FOUND, "no worker " + id + "; worker ids are 1 to " + this.pool.slots().size());
		}
		WorkerHandle worker = slot.current();
		if (worker == null) {
			if (slot.incoming() != null) {
				return refuse(Refusal.CONFLICT, slot.incoming() + " is starting; only a ready worker can be restarted");
			}
			String was = slot.gaveUp() ? "was given up" : "had no process";
			slot.revive();
			slot.want(Replacement.RESTART);
			String message = "worker " + id + " " + was + "; starting one now (" + trigger + ")";
			logger.info(message);
			return accept(message);
		}
		if (worker.state() != WorkerState.READY) {
			return refuse(Refusal.CONFLICT, worker + " is " + worker.state().name().toLowerCase(Locale.ROOT)
					+ "; only a ready worker can be restarted");
		}
		this.rollout = new Rollout(Action.RESTART, trigger, List.of(id), this.pool.placements(), now);
		String message = "restart of " + worker + " begun (" + trigger + "): its replacement boots first";
		logger.info(message);
		step(now);
		return accept(message);
	}

	/**
	 * Change the number of worker slots. Scaling down drains the highest ids, whatever
	 * their workers are doing. Refused while a reload or restart runs, above
	 * {@code jproc.max-workers}, and, for a scale up, while an earlier scale up's workers
	 * boot.
	 * @param workers the wanted number of workers
	 * @param trigger who asked, for the log
	 * @param now the time
	 * @return accepted, or refused with the reason
	 */
	public CommandResult scale(int workers, String trigger, Instant now) {
		if (!this.running.getAsBoolean()) {
			return refuse(Refusal.CONFLICT, "the master is shutting down");
		}
		if (workers < 1 || workers > WorkerCount.MAX) {
			return refuse(Refusal.INVALID, "workers must be a whole number from 1 to " + WorkerCount.MAX + ", was "
					+ workers + "; to stop the pool send SIGTERM to the master");
		}
		if (this.rollout != null) {
			return refuse(Refusal.CONFLICT, runningRollout(this.rollout) + "; scale when it has ended");
		}
		int current = this.pool.slots().size();
		WorkerCap cap = this.properties.workerCap();
		if (workers > current && workers > cap.value()) {
			return refuse(Refusal.INVALID, "scale to " + workers + " refused: at most " + cap.value() + " workers ("
					+ cap.source() + "); raise jproc.max-workers to allow more");
		}
		Scaling running = this.scaling;
		if (running != null && workers > current) {
			return refuse(Refusal.CONFLICT, running.describe(this.pool).message()
					+ "; a scale up waits until its workers are ready, a scale down is taken now");
		}
		if (workers == current) {
			return accept("the pool already has " + workers + " workers");
		}
		String message = "scale from " + current + " to " + workers + " workers (" + trigger + ")";
		logger.info(message);
		if (workers > current) {
			List<Integer> added = new ArrayList<>();
			for (int i = current; i < workers; i++) {
				added.add(this.pool.addSlot(Replacement.SCALE).id());
			}
			this.scaling = new Scaling(trigger, added, now);
			if (workers - current > 1) {
				message += ": " + (workers - current) + " new workers, " + this.properties.getWorker().maxBooting()
						+ " booting at once at most (jproc.worker.max-booting)";
			}
			return accept(message);
		}
		for (Slot slot : List.copyOf(this.pool.slots().subList(workers, current))) {
			this.pool.removeSlot(slot, "scale down to " + workers, now);
		}
		if (running != null) {
			// The slots removed are no longer the scale's to wait for.
			running.added.removeIf((id) -> id > workers);
			running.pending.removeIf((id) -> id > workers);
			running.gaveUp.removeIf((id) -> id > workers);
			scaled(now);
		}
		else {
			this.last = new PoolStatus.Operation(Action.SCALE, trigger, PoolStatus.Operation.State.DONE, 0, 0, now, now,
					message);
		}
		return accept(message);
	}

	/**
	 * Move a running scale up on: it is done once every slot it added has a serving
	 * worker, or was given up.
	 * @param now the time
	 */
	private void scaled(Instant now) {
		Scaling current = this.scaling;
		if (current == null) {
			return;
		}
		for (int id : List.copyOf(current.pending)) {
			Slot slot = this.pool.slot(id);
			if (slot == null) {
				current.pending.remove(id);
			}
			else if (slot.gaveUp()) {
				current.pending.remove(id);
				current.gaveUp.add(id);
			}
			else if (slot.current() != null && slot.current().state().isServing()) {
				current.pending.remove(id);
			}
		}
		if (!current.pending.isEmpty()) {
			return;
		}
		this.scaling = null;
		Duration took = Duration.between(current.startedAt, now);
		if (current.gaveUp.isEmpty()) {
			String message = "scale complete (" + current.trigger + "): " + current.ready() + " new workers ready in "
					+ Durations.seconds(took);
			logger.info(message);
			this.last = current.outcome(PoolStatus.Operation.State.DONE, now, message);
		}
		else {
			String message = "scale ended (" + current.trigger + "): " + current.ready() + " of " + current.total()
					+ " new workers ready, " + current.gaveUp.size() + " slot(s) given up, in "
					+ Durations.seconds(took);
			logger.error(message);
			this.last = current.outcome(PoolStatus.Operation.State.FAILED, now, message);
		}
	}

	/**
	 * A worker of the pool ended. A new worker of a running reload or restart that ends
	 * before it is ready stops the operation: the old workers keep serving.
	 * @param worker the worker
	 * @param ended what it was to its slot
	 * @param exit how it ended
	 * @param now the time
	 */
	public void onEnded(WorkerHandle worker, Pool.Ended ended, Exit exit, Instant now) {
		Rollout current = this.rollout;
		if (current != null && ended.role() == Slot.Role.INCOMING && ended.slot() != null
				&& current.isOurs(ended.slot().id(), worker)) {
			fail(worker + " exited with " + exit + " before it was ready", now);
		}
	}

	/**
	 * Move the running operation on: count the slots done, ask the next ones for a new
	 * worker, and stop it when a new worker is not ready in time.
	 * @param now the time
	 */
	public void tick(Instant now) {
		scaled(now);
		Rollout current = this.rollout;
		if (current == null) {
			return;
		}
		Duration timeout = this.properties.getReload().getReadyTimeout();
		for (int id : current.pending) {
			Slot slot = this.pool.slot(id);
			WorkerHandle incoming = (slot != null) ? slot.incoming() : null;
			if (incoming != null && current.isOurs(id, incoming) && incoming.state() == WorkerState.STARTING
					&& Duration.between(incoming.spawnedAt(), now).compareTo(timeout) > 0) {
				fail(incoming + " was not ready within jproc.reload.ready-timeout (" + Durations.seconds(timeout) + ")",
						now);
				return;
			}
		}
		step(now);
	}

	/**
	 * The master is shutting down: the operation stops.
	 * @param now the time
	 */
	public void abandon(Instant now) {
		if (this.rollout != null) {
			fail("the master is shutting down", now);
		}
		Scaling current = this.scaling;
		if (current != null) {
			this.scaling = null;
			this.last = current.outcome(PoolStatus.Operation.State.FAILED, now,
					"scale stopped: the master is shutting down; " + current.ready() + " of " + current.total()
							+ " new workers were ready");
		}
	}

	public PoolStatus.@Nullable Operation status() {
		if (this.rollout != null) {
			return this.rollout.describe(null);
		}
		return (this.scaling != null) ? this.scaling.describe(this.pool) : this.last;
	}

	private void step(Instant now) {
		Rollout current = this.rollout;
		if (current == null) {
			return;
		}
		int inFlight = 0;
		List<Slot> next = new ArrayList<>();
		for (int id : List.copyOf(current.pending)) {
			Slot slot = this.pool.slot(id);
			if (slot == null || slot.gaveUp()) {
				current.skip(id);
				continue;
			}
			WorkerHandle serving = slot.current();
			WorkerHandle incoming = slot.incoming();
			if (serving != null && current.isOurs(id, serving) && serving.state().isServing()) {
				current.pending.remove(id);
				current.replaced++;
				logger.info(serving + " replaces the worker before it (" + current.action.wireName() + " "
						+ current.replaced + " of " + current.total + "), ready in "
						+ Durations.seconds(serving.bootTime()));
			}
			else if (incoming != null && current.isOurs(id, incoming)) {
				inFlight++;
			}
			else if (serving != null && incoming == null) {
				next.add(slot);
			}
			// Otherwise an older worker is on its way, or the slot is empty and its
			// respawn, newer than this operation, will do.
		}
		for (Slot slot : next) {
			if (inFlight >= this.properties.getReload().getMaxParallel()) {
				break;
			}
			slot.want(replacement(current.action));
			inFlight++;
		}
		if (current.pending.isEmpty()) {
			String message = current.action.wireName() + " complete (" + current.trigger + "): " + current.replaced
					+ " workers replaced in " + Durations.seconds(Duration.between(current.startedAt, now));
			logger.info(message);
			this.last = current.describe(new Outcome(PoolStatus.Operation.State.DONE, now, message));
			this.rollout = null;
		}
	}

	private void fail(String why, Instant now) {
		Rollout current = this.rollout;
		if (current == null) {
			return;
		}
		this.rollout = null;
		for (int id : current.pending) {
			Slot slot = this.pool.slot(id);
			if (slot == null) {
				continue;
			}
			slot.unwant(replacement(current.action));
			WorkerHandle incoming = slot.incoming();
			// Only a worker that replaces one still serving is stopped; in an empty slot
			// it is also the slot's respawn.
			if (incoming != null && current.isOurs(id, incoming) && slot.current() != null) {
				this.pool.kill(incoming, "its " + current.action.wireName() + " stopped");
			}
		}
		String message = current.action.wireName() + " stopped (" + current.trigger + "): " + why + "; "
				+ current.replaced + " of " + current.total + " workers were replaced and the others keep serving";
		logger.error(message);
		this.last = current.describe(new Outcome(PoolStatus.Operation.State.FAILED, now, message));
	}

	private @Nullable CommandResult busy() {
		if (!this.running.getAsBoolean()) {
			return refuse(Refusal.CONFLICT, "the master is shutting down");
		}
		if (this.rollout != null) {
			return refuse(Refusal.CONFLICT, runningRollout(this.rollout) + "; try again when it has ended");
		}
		if (this.scaling != null) {
			return refuse(Refusal.CONFLICT,
					this.scaling.describe(this.pool).message() + "; try again when its workers are ready");
		}
		return null;
	}

	private static String runningRollout(Rollout rollout) {
		return "a " + rollout.action.wireName() + " is running (" + rollout.replaced + " of " + rollout.total
				+ " workers replaced)";
	}

	private static Replacement replacement(Action action) {
		return switch (action) {
			case RELOAD -> Replacement.RELOAD;
			case SCALE -> Replacement.SCALE;
			case RESTART -> Replacement.RESTART;
		};
	}

	private static CommandResult accept(String message) {
		return new CommandResult(true, null, message);
	}

	private static CommandResult refuse(Refusal refusal, String message) {
		logger.warn("refused: " + message);
		return new CommandResult(false, refusal, message);
	}

	/** A running scale up. */
	private static final class Scaling {

		final String trigger;

		final Instant startedAt;

		/** The slots it added, by id. */
		final List<Integer> added;

		/** The added slots whose first worker is not ready yet. */
		final Set<Integer> pending;

		/** The added slots given up before their first worker was ready. */
		final Set<Integer> gaveUp = new LinkedHashSet<>();

		Scaling(String trigger, List<Integer> added, Instant startedAt) {
			this.trigger = trigger;
			this.startedAt = startedAt;
			this.added = new ArrayList<>(added);
			this.pending = new LinkedHashSet<>(added);
		}

		int total() {
			return this.added.size();
		}

		int ready() {
			return this.added.size() - this.pending.size() - this.gaveUp.size();
		}

		PoolStatus.Operation describe(Pool pool) {
			int booting = 0;
			for (int id : this.pending) {
				Slot slot = pool.slot(id);
				if (slot != null && slot.incoming() != null) {
					booting++;
				}
			}
			String message = "a scale is running (" + this.trigger + "): " + ready() + " of " + total()
					+ " new workers ready, " + booting + " booting, " + (this.pending.size() - booting)
					+ " waiting to boot";
			return new PoolStatus.Operation(Action.SCALE, this.trigger, PoolStatus.Operation.State.RUNNING, ready(),
					total(), this.startedAt, null, message);
		}

		PoolStatus.Operation outcome(PoolStatus.Operation.State state, Instant endedAt, String message) {
			return new PoolStatus.Operation(Action.SCALE, this.trigger, state, ready(), total(), this.startedAt,
					endedAt, message);
		}

	}

	private record Outcome(PoolStatus.Operation.State state, Instant endedAt, String message) {
	}

	private static final class Rollout {

		final Action action;

		final String trigger;

		final Instant startedAt;

		/** Workers placed at this placement or earlier are to be replaced. */
		final long replaceUpTo;

		final Set<Integer> pending;

		int total;

		int replaced;

		Rollout(Action action, String trigger, List<Integer> ids, long replaceUpTo, Instant startedAt) {
			this.action = action;
			this.trigger = trigger;
			this.pending = new LinkedHashSet<>(ids);
			this.total = ids.size();
			this.replaceUpTo = replaceUpTo;
			this.startedAt = startedAt;
		}

		boolean isOurs(int id, WorkerHandle worker) {
			return this.pending.contains(id) && worker.placement() > this.replaceUpTo;
		}

		void skip(int id) {
			if (this.pending.remove(id)) {
				this.total--;
			}
		}

		PoolStatus.Operation describe(@Nullable Outcome outcome) {
			return (outcome != null)
					? new PoolStatus.Operation(this.action, this.trigger, outcome.state(), this.replaced, this.total,
							this.startedAt, outcome.endedAt(), outcome.message())
					: new PoolStatus.Operation(this.action, this.trigger, PoolStatus.Operation.State.RUNNING,
							this.replaced, this.total, this.startedAt, null, this.action.wireName() + " running: "
									+ this.replaced + " of " + this.total + " workers replaced");
		}

	}

}
