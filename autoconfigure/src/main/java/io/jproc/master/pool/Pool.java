package io.jproc.master.pool;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.jproc.JprocProperties;
import io.jproc.WorkerEnvironment;
import io.jproc.ipc.Message;
import io.jproc.master.process.Durations;
import io.jproc.master.process.PosixSignal;
import io.jproc.master.process.Signaller;
import io.jproc.master.process.WorkerHandle;
import io.jproc.master.process.WorkerState;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The worker slots and the live worker processes. Flows (crash respawn, retirements,
 * reloads, scaling) only say what a slot wants; {@link #reconcile} compares that with
 * what exists and is the one place that starts a worker, in the manner of gunicorn's
 * {@code manage_workers}. It also finds live workers no slot references and drains them.
 * Owned by the arbiter thread.
 */
public final class Pool {

	private static final Log logger = LogFactory.getLog(Pool.class);

	private final JprocProperties properties;

	private final WorkerFactory factory;

	private final Signaller signaller;

	private final List<Slot> slots = new ArrayList<>();

	/** Slots removed by a scale-down, until their workers have gone. */
	private final List<Slot> removed = new ArrayList<>();

	private final List<WorkerHandle> live = new ArrayList<>();

	/** Live workers found in no slot, already told to leave. */
	private final Set<WorkerHandle> strays = new HashSet<>();

	/** Workers killed for booting too long, until they are reaped. */
	private final Set<WorkerHandle> bootKilled = new HashSet<>();

	/** Spares raised to a serving worker's priority because they boot slowly. */
	private final Set<WorkerHandle> bootRaised = new HashSet<>();

	private final Spares spares;

	private long generation;

	private long placements;

	/** Slots that needed a worker at the last reconciling step and waited to boot. */
	private int waitingToBoot;

	public Pool(JprocProperties properties, WorkerFactory factory, Signaller signaller) {
		this.properties = properties;
		this.factory = factory;
		this.signaller = signaller;
		this.spares = new Spares(properties.getSpareWorkers(), properties.getRestart());
		for (int id = 1; id <= properties.getWorkers().value(); id++) {
			addSlot(Replacement.START);
		}
	}

	/**
	 * The active slots, by id.
	 * @return the slots
	 */
	public List<Slot> slots() {
		return this.slots;
	}

	/**
	 * Every worker process that has not ended: serving, booting, leaving.
	 * @return the live workers
	 */
	public List<WorkerHandle> live() {
		return this.live;
	}

	/**
	 * The live workers that are in a slot (serving, booting or leaving), without the
	 * spares.
	 * @return the slots' workers
	 */
	public List<WorkerHandle> members() {
		return this.live.stream().filter((worker) -> !this.spares.contains(worker)).toList();
	}

	/**
	 * The spare workers.
	 * @return the spares
	 */
	public Spares spares() {
		return this.spares;
	}

	/**
	 * The placement of the newest worker placed in a slot so far.
	 * @return the placement, 0 before the first
	 */
	public long placements() {
		return this.placements;
	}

	/**
	 * The active slot with an id.
	 * @param id the worker id
	 * @return the slot, {@code null} if there is none
	 */
	public @Nullable Slot slot(int id) {
		for (Slot slot : this.slots) {
			if (slot.id() == id) {
				return slot;
			}
		}
		return null;
	}

	/**
	 * The slot, active or removed by a scale-down, that references a worker.
	 * @param worker the worker
	 * @return the slot, {@code null} if none references it
	 */
	public @Nullable Slot slotOf(WorkerHandle worker) {
		for (Slot slot : this.slots) {
			if (slot.holds(worker)) {
				return slot;
			}
		}
		for (Slot slot : this.removed) {
			if (slot.holds(worker)) {
				return slot;
			}
		}
		return null;
	}

	/**
	 * Add a slot with the next id; the reconciling step starts its worker.
	 * @param why why the slot is added
	 * @return the slot
	 */
	public Slot addSlot(Replacement why) {
		Slot slot = new Slot(this.slots.size() + 1, this.properties.getRestart());
		slot.want(why);
		this.slots.add(slot);
		return slot;
	}

	/**
	 * Remove a slot: it wants nothing any more, its serving and booting workers are asked
	 * to leave.
	 * @param slot the slot, which must be the one with the highest id
	 * @param reason why, for the workers' logs
	 * @param now the time
	 */
	public void removeSlot(Slot slot, String reason, Instant now) {
		this.slots.remove(slot);
		slot.remove();
		this.removed.add(slot);
		for (WorkerHandle worker : new WorkerHandle[] { slot.current(), slot.incoming() }) {
			if (worker != null) {
				stop(worker, reason, drainDeadline(now));
			}
		}
	}

	/**
	 * The reconciling step: start a worker for every slot that wants one and may have one
	 * now, and drain live workers that no slot references. At most
	 * {@code jproc.worker.max-booting} worker JVMs boot at once, spares included: a slot
	 * that needs a worker while that many boot keeps wanting it and is served on a later
	 * tick, slots without a serving worker first, then by id. A slot that takes a spare
	 * starts no JVM and never waits.
	 * @param now the time
	 * @param running whether the pool runs (a pool shutting down starts nothing)
	 * @return the workers started
	 */
	public List<WorkerHandle> reconcile(Instant now, boolean running) {
		List<WorkerHandle> started = new ArrayList<>();
		if (running) {
			int maxBooting = this.properties.getWorker().maxBooting();
			int booting = booting();
			int waiting = 0;
			for (Slot slot : inTurn(now)) {
				WorkerHandle spare = this.spares.best();
				if (spare == null && booting >= maxBooting) {
					waiting++;
					continue;
				}
				WorkerHandle worker = (spare != null) ? take(slot, spare) : spawn(slot, now);
				if (worker != null) {
					started.add(worker);
					booting += (spare != null) ? 0 : 1;
				}
			}
			logWaiting(waiting, maxBooting);
			if (booting < maxBooting && this.spares.wantsOne(slotWorkerBooting(), now)) {
				spawnSpare(now);
			}
		}
		for (WorkerHandle worker : List.copyOf(this.live)) {
			if (slotOf(worker) == null && !this.spares.contains(worker) && this.strays.add(worker)) {
				logger.error(worker + " is alive but no worker slot references it (a jproc bug, please report "
						+ "it): draining it");
				stop(worker, "not part of the pool", drainDeadline(now));
			}
		}
		this.removed.removeIf(Slot::isEmpty);
		return started;
	}

	/**
	 * The slots that need a worker now, in the order they get one: those without a
	 * serving worker (a crash, a new slot) before those whose serving worker is to be
	 * replaced, each by id.
	 * @param now the time
	 * @return the slots
	 */
	private List<Slot> inTurn(Instant now) {
		List<Slot> empty = new ArrayList<>();
		List<Slot> serving = new ArrayList<>();
		for (Slot slot : this.slots) {
			if (slot.needsSpawn(now)) {
				((slot.current() == null) ? empty : serving).add(slot);
			}
		}
		empty.addAll(serving);
		return empty;
	}

	/**
	 * The worker JVMs booting now: slots' incoming workers and spares that are not ready
	 * and not told to leave.
	 * @return the number
	 */
	public int booting() {
		int booting = 0;
		for (WorkerHandle worker : this.live) {
			if (worker.state() == WorkerState.STARTING && !worker.isLeaving()) {
				booting++;
			}
		}
		return booting;
	}

	/**
	 * The slots that need a worker and wait for one of the JVMs booting to be ready.
	 * @return the number, as of the last reconciling step
	 */
	public int waitingToBoot() {
		return this.waitingToBoot;
	}

	private void logWaiting(int waiting, int maxBooting) {
		if (waiting > 0 && this.waitingToBoot == 0) {
			logger.info(waiting + " worker(s) wait to boot: " + maxBooting
					+ " JVM(s) boot at once at most (jproc.worker.max-booting)");
		}
		this.waitingToBoot = waiting;
	}

	private boolean slotWorkerBooting() {
		return this.slots.stream()
			.anyMatch((slot) -> slot.incoming() != null && slot.incoming().state() == WorkerState.STARTING);
	}

	/**
	 * A spare takes a slot that wants a worker: it becomes the slot's incoming worker and
	 * is told to accept (at once if it is ready, once its server starts if not).
	 * @param slot the slot
	 * @param spare the spare
	 * @return the spare, now in the slot
	 */
	private WorkerHandle take(Slot slot, WorkerHandle spare) {
		Replacement why = slot.need();
		String was = spare.toString();
		this.spares.taken(spare);
		spare.place(slot.id(), ++this.placements);
		slot.spawned(spare);
		this.factory.tookSlot(spare);
		spare.channel().send(new Message.TakeSlot(slot.id()));
		logger.info("worker " + slot.id() + ": " + was + " takes the slot"
				+ ((why != null && why != Replacement.START) ? " (" + why.wireName() + ")" : "")
				+ ((spare.state() == WorkerState.READY) ? "" : ", as soon as it is ready"));
		return spare;
	}

	private void spawnSpare(Instant now) {
		try {
			WorkerHandle spare = this.factory.launch(WorkerEnvironment.SPARE_ID, ++this.generation, this.slots.size(),
					now);
			this.live.add(spare);
			this.spares.started(spare);
			logger.info(spare + " started (spare worker)");
		}
		catch (IOException | RuntimeException ex) {
			this.spares.failed("a spare worker could not be started: " + ex.getMessage(), now);
		}
	}

	/**
	 * A reload begins: the spares, which run the old build, leave; new ones boot once the
	 * reload has no worker booting.
	 * @param now the time
	 */
	public void reloadSpares(Instant now) {
		for (WorkerHandle spare : this.spares.reload()) {
			stop(spare, "reload: a spare of the old build", drainDeadline(now));
		}
	}

	private @Nullable WorkerHandle spawn(Slot slot, Instant now) {
		Replacement why = slot.need();
		try {
			WorkerHandle worker = this.factory.launch(slot.id(), ++this.generation, this.slots.size(), now);
			worker.place(slot.id(), ++this.placements);
			this.live.add(worker);
			slot.spawned(worker);
			logger.info(worker + " started"
					+ ((why != null && why != Replacement.START) ? " (" + why.wireName() + ")" : ""));
			return worker;
		}
		catch (IOException | RuntimeException ex) {
			Duration delay = this.properties.getRestart().getInitialBackoff();
			logger.error("worker " + slot.id() + " could not be started, trying again in " + Durations.seconds(delay)
					+ ": " + ex.getMessage());
			slot.respawnAt(now.plus(delay));
			return null;
		}
	}

	/**
	 * A worker became ready: if it is its slot's incoming worker, it takes the slot over.
	 * @param worker the worker
	 * @return the promotion, {@code null} if the worker was not incoming (stopped while
	 * it booted, or its slot removed)
	 */
	public @Nullable Promotion promote(WorkerHandle worker) {
		Slot slot = slotOf(worker);
		if (slot == null || slot.incoming() != worker || slot.isRemoved()) {
			return null;
		}
		Replacement why = slot.incomingReason();
		return new Promotion(slot, slot.promote(), (why != null) ? why : Replacement.START);
	}

	/**
	 * A worker process ended: forget it.
	 * @param worker the worker
	 * @param now the time
	 * @return its slot and what it was there, {@code null} slot if none referenced it
	 */
	public Ended ended(WorkerHandle worker, Instant now) {
		return ended(worker, true, now);
	}

	/**
	 * A worker process ended: forget it.
	 * @param worker the worker
	 * @param counts whether a spare's failure counts toward the spares' backoff and
	 * give-up (not when it failed to boot from an abandoned boot cache)
	 * @param now the time
	 * @return its slot and what it was there, {@code null} slot if none referenced it
	 */
	public Ended ended(WorkerHandle worker, boolean counts, Instant now) {
		this.live.remove(worker);
		this.strays.remove(worker);
		this.bootKilled.remove(worker);
		this.bootRaised.remove(worker);
		if (this.spares.ended(worker, !worker.isLeaving() && counts, now)) {
			return new Ended(null, Slot.Role.NONE);
		}
		Slot slot = slotOf(worker);
		return new Ended(slot, (slot != null) ? slot.forget(worker) : Slot.Role.NONE);
	}

	/**
	 * Ask a worker to stop accepting, drain and exit; SIGTERM if its channel is gone. The
	 * worker leaves its slot.
	 * @param worker the worker
	 * @param reason why, for its log and the master's
	 * @param killAt when to kill it if it is still there, {@code null} for no deadline
	 */
	public void stop(WorkerHandle worker, String reason, @Nullable Instant killAt) {
		leave(worker);
		worker.leaving(reason);
		if (worker.state() != WorkerState.DRAINING && worker.state() != WorkerState.EXITED) {
			worker.moveTo(WorkerState.DRAINING);
		}
		worker.killAt(killAt);
		if (!worker.channel().send(new Message.Stop(reason))) {
			signal(worker.pid(), PosixSignal.TERM);
		}
	}

	/**
	 * Kill a worker at once. It leaves its slot.
	 * @param worker the worker
	 * @param reason why, for the master's log
	 */
	public void kill(WorkerHandle worker, String reason) {
		leave(worker);
		worker.leaving(reason);
		signal(worker.pid(), PosixSignal.KILL);
	}

	/**
	 * A worker stops serving or booting in its slot but is not signalled here: it left by
	 * itself (urgent retirement) or is being handled by its retirement.
	 * @param worker the worker
	 */
	public void leave(WorkerHandle worker) {
		Slot slot = slotOf(worker);
		if (slot != null) {
			slot.release(worker);
		}
	}

	/**
	 * Send a signal to a worker process.
	 * @param pid the process
	 * @param signal the signal
	 */
	public void signal(long pid, PosixSignal signal) {
		this.signaller.signal(pid, signal);
	}

	/**
	 * The one sweep of boot and kill deadlines: a worker past its drain deadline, or
	 * still booting past {@code jproc.worker.boot-timeout}, is killed; a spare still
	 * booting at half the boot timeout is raised to a serving worker's CPU priority
	 * first, so that serving workers that keep every core busy cannot starve it into the
	 * timeout.
	 * @param now the time
	 * @return the workers killed now
	 */
	public List<WorkerHandle> killOverdue(Instant now) {
		List<WorkerHandle> killed = new ArrayList<>();
		Duration bootTimeout = this.properties.getWorker().getBootTimeout();
		Duration raiseAfter = bootTimeout.dividedBy(2);
		for (WorkerHandle worker : this.live) {
			Duration booting = Duration.between(worker.spawnedAt(), now);
			if (worker.isSpare() && worker.state() == WorkerState.STARTING && !worker.isLeaving()
					&& booting.compareTo(raiseAfter) > 0 && this.bootRaised.add(worker)) {
				this.factory.bootingLate(worker, booting);
			}
			if (worker.state() == WorkerState.STARTING && !worker.isLeaving() && booting.compareTo(bootTimeout) > 0
					&& this.bootKilled.add(worker)) {
				logger.warn(worker + " not ready within jproc.worker.boot-timeout (" + Durations.seconds(bootTimeout)
						+ "): killed");
				worker.killAt(null);
				signal(worker.pid(), PosixSignal.KILL);
				killed.add(worker);
			}
			else if (worker.killAt() != null && now.isAfter(worker.killAt())) {
				logger.warn(worker + " did not exit in time after " + worker.leaveReason() + ": killed");
				worker.killAt(null);
				signal(worker.pid(), PosixSignal.KILL);
				killed.add(worker);
			}
		}
		return killed;
	}

	/**
	 * When a worker asked to drain now must have gone: the drain deadline plus the kill
	 * grace.
	 * @param now the time
	 * @return the deadline
	 */
	public Instant drainDeadline(Instant now) {
		return now.plus(this.properties.workerKillDeadline());
	}

	/**
	 * Whether every active slot has a serving worker.
	 * @return {@code true} when the pool is complete
	 */
	public boolean isComplete() {
		return this.slots.stream().allMatch((slot) -> slot.current() != null && slot.current().state().isServing());
	}

	/**
	 * A slot's incoming worker took it over.
	 *
	 * @param slot the slot
	 * @param replaced the worker it replaces, now leaving; {@code null} if the slot had
	 * none
	 * @param reason why the new worker came
	 */
	public record Promotion(Slot slot, @Nullable WorkerHandle replaced, Replacement reason) {
	}

	/**
	 * A worker that ended, and what it was to its slot.
	 *
	 * @param slot its slot, {@code null} if none referenced it
	 * @param role what it was there
	 */
	public record Ended(@Nullable Slot slot, Slot.Role role) {
	}

}
