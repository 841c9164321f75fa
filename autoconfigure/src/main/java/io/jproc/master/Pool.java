package io.jproc.master;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import io.jproc.JprocProperties;
import io.jproc.ipc.Message;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The worker slots and the live worker processes, and the moves that start and stop
 * them. Owned by the arbiter thread; the arbiter decides, the pool carries out.
 */
final class Pool implements PoolCommands.Pool {

	private static final Log logger = LogFactory.getLog(Pool.class);

	private final JprocProperties properties;

	private final WorkerLauncher launcher;

	private final Spawner spawner;

	private final BooleanSupplier running;

	private final List<Slot> slots = new ArrayList<>();

	private final List<WorkerHandle> live = new ArrayList<>();

	/** Slots removed by a scale-down, until their workers have gone. */
	private final Map<Integer, Slot> removedSlots = new HashMap<>();

	Pool(JprocProperties properties, WorkerLauncher launcher, Spawner spawner, BooleanSupplier running) {
		this.properties = properties;
		this.launcher = launcher;
		this.spawner = spawner;
		this.running = running;
		for (int id = 1; id <= properties.getWorkers().value(); id++) {
			this.slots.add(new Slot(id, properties.getRestart()));
		}
	}

	@Override
	public List<Slot> slots() {
		return this.slots;
	}

	/**
	 * Every worker process that has not ended, including those draining.
	 * @return the live workers
	 */
	List<WorkerHandle> live() {
		return this.live;
	}

	@Override
	public Slot slotOf(WorkerHandle worker) {
		for (Slot slot : this.slots) {
			if (slot.id() == worker.id()) {
				return slot;
			}
		}
		Slot removed = this.removedSlots.get(worker.id());
		if (removed == null) {
			throw new IllegalStateException("no slot for " + worker);
		}
		return removed;
	}

	@Override
	public Slot addSlot() {
		int id = this.slots.size() + 1;
		this.removedSlots.remove(id);
		Slot slot = new Slot(id, this.properties.getRestart());
		this.slots.add(slot);
		return slot;
	}

	@Override
	public void removeSlot(Slot slot) {
		this.slots.remove(slot);
		slot.respawnAt(null);
		this.removedSlots.put(slot.id(), slot);
	}

	@Override
	public @Nullable WorkerHandle spawn(Slot slot) {
		WorkerHandle worker = spawnBeside(slot);
		if (worker != null) {
			slot.current(worker);
		}
		return worker;
	}

	@Override
	public @Nullable WorkerHandle spawnBeside(Slot slot) {
		try {
			WorkerHandle worker = this.launcher.launch(slot.id());
			this.live.add(worker);
			logger.info(worker + " started");
			return worker;
		}
		catch (IOException | RuntimeException ex) {
			logger.error("worker " + slot.id() + " could not be started: " + ex.getMessage());
			Duration delay = this.properties.getRestart().getInitialBackoff();
			slot.respawnAt(Instant.now().plus(delay));
			return null;
		}
	}

	/**
	 * Ask a worker to stop accepting, drain and exit; SIGTERM if its channel is gone.
	 * @param worker the worker
	 * @param reason why, for its log and the master's
	 * @param killAt when to kill it if it is still there, {@code null} for no deadline
	 */
	@Override
	public void stop(WorkerHandle worker, String reason, @Nullable Instant killAt) {
		worker.leaving(reason);
		if (worker.state() != WorkerState.DRAINING && worker.state() != WorkerState.EXITED) {
			worker.moveTo(WorkerState.DRAINING);
		}
		worker.killAt(killAt);
		if (!worker.channel().send(new Message.Stop(reason))) {
			signal(worker.pid(), Retirements.SIGTERM);
		}
	}

	@Override
	public void kill(WorkerHandle worker) {
		worker.leaving("stopped: its operation failed");
		signal(worker.pid(), Retirements.SIGKILL);
	}

	/**
	 * Send a signal to a worker process.
	 * @param pid the process
	 * @param signal the number
	 */
	void signal(long pid, int signal) {
		this.spawner.kill(pid, signal);
	}

	@Override
	public boolean isRunning() {
		return this.running.getAsBoolean();
	}

	boolean hasServingWorker(Slot slot) {
		return slot.current() != null && slot.current().state().isServing();
	}

}
