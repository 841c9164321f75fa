package io.jproc.master.pool;

import java.time.Duration;
import java.time.Instant;

import io.jproc.master.process.Durations;
import io.jproc.master.process.PosixSignal;
import io.jproc.master.process.WorkerHandle;
import io.jproc.master.process.WorkerState;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The one place where a slot that loses its worker is told what it wants next, and where
 * the loss is classified (a boot failure or a crash) and counted toward the slot's
 * backoff and give-up: for an exit, an urgent or hung retirement and a failed replacement
 * alike. Also what retirements ask of the slots ({@link RetirementSlots}). Loop thread
 * only.
 */
public final class SlotLosses implements RetirementSlots {

	private static final Log logger = LogFactory.getLog(SlotLosses.class);

	private final Pool pool;

	private final Runnable everySlotGaveUp;

	/**
	 * Create the slot losses of a pool.
	 * @param pool the pool
	 * @param everySlotGaveUp what to do once every slot has given up (end the master)
	 */
	public SlotLosses(Pool pool, Runnable everySlotGaveUp) {
		this.pool = pool;
		this.everySlotGaveUp = everySlotGaveUp;
	}

	/**
	 * Whether a worker's end, were it to end now, is a boot failure: it was still booting
	 * and nobody had asked it to leave. Read before the worker is marked exited.
	 * @param worker the worker
	 * @return {@code true} for a boot failure
	 */
	public static boolean isBootFailure(WorkerHandle worker) {
		return worker.state() == WorkerState.STARTING && !worker.isLeaving();
	}

	/**
	 * A worker of a running pool has exited: the slot it served wants a new one, and the
	 * loss counts, unless the worker was asked to leave or its slot was removed.
	 * @param worker the worker, already exited
	 * @param ended where it was in its slot
	 * @param bootFailure whether it failed during boot ({@link #isBootFailure})
	 * @param now the time
	 */
	public void onExited(WorkerHandle worker, Pool.Ended ended, boolean bootFailure, Instant now) {
		onExited(worker, ended, bootFailure, true, now);
	}

	/**
	 * A worker of a running pool has exited: the slot it served wants a new one, and the
	 * loss counts if it should, unless the worker was asked to leave or its slot was
	 * removed.
	 * @param worker the worker, already exited
	 * @param ended where it was in its slot
	 * @param bootFailure whether it failed during boot ({@link #isBootFailure})
	 * @param counts whether the loss counts toward backoff and give-up: not when the
	 * worker failed to boot from a boot cache that is now abandoned (the next try, from
	 * the jar, starts at once)
	 * @param now the time
	 */
	public void onExited(WorkerHandle worker, Pool.Ended ended, boolean bootFailure, boolean counts, Instant now) {
		Slot slot = ended.slot();
		if (slot == null || worker.isLeaving() || slot.isRemoved()) {
			return;
		}
		if (ended.role() == Slot.Role.CURRENT || (ended.role() == Slot.Role.INCOMING && slot.current() == null)) {
			// The slot has no worker now.
			slot.want(bootFailure ? Replacement.BOOT_FAILURE : Replacement.CRASH);
			if (counts) {
				failed(slot, worker, bootFailure, now);
			}
		}
		else if (ended.role() == Slot.Role.INCOMING && slot.wanted() != null && counts) {
			// A replacement failed while the old worker still serves (planned
			// retirement): the next try waits out the slot's backoff, and a slot that
			// cannot boot gives up.
			failed(slot, worker, bootFailure, now);
		}
	}

	@Override
	public @Nullable WorkerHandle replaceNow(WorkerHandle leaving, Replacement why, Instant now) {
		Slot slot = this.pool.slotOf(leaving);
		if (slot == null || slot.isRemoved()) {
			return null;
		}
		boolean wasServing = slot.current() == leaving;
		boolean wasIncoming = slot.incoming() == leaving;
		slot.release(leaving);
		if (wasServing || wasIncoming) {
			slot.want(why);
			failed(slot, leaving, wasIncoming, now);
		}
		return slot.incoming();
	}

	@Override
	public @Nullable WorkerHandle replaceLater(WorkerHandle retiring) {
		Slot slot = this.pool.slotOf(retiring);
		if (slot == null || slot.current() != retiring || slot.isRemoved()) {
			return null;
		}
		slot.want(Replacement.PLANNED);
		return slot.incoming();
	}

	@Override
	public void leave(WorkerHandle worker) {
		this.pool.leave(worker);
	}

	@Override
	public boolean noneComing(WorkerHandle worker) {
		// By id: a worker that has ended is in no slot any more.
		Slot slot = this.pool.slot(worker.id());
		return slot == null || slot.gaveUp();
	}

	@Override
	public void signal(long pid, PosixSignal signal) {
		this.pool.signal(pid, signal);
	}

	/**
	 * Count a failure of the slot's worker: the next one starts after a backoff, or the
	 * slot is given up, and the master with it once every slot is.
	 * @param slot the slot
	 * @param worker the worker that failed
	 * @param bootFailure whether it failed before it was ready
	 * @param now the time
	 */
	private void failed(Slot slot, WorkerHandle worker, boolean bootFailure, Instant now) {
		Duration delay = slot.onFailure(worker, bootFailure, now);
		if (delay == null) {
			logger.error("worker " + slot.id() + " given up after " + slot.gaveUpReason()
					+ "; its slot stays empty. See the worker's own output above for the cause.");
			if (this.pool.slots().stream().allMatch(Slot::gaveUp)) {
				this.everySlotGaveUp.run();
			}
		}
		else if (!delay.isZero() && slot.incoming() == null) {
			logger.info("worker " + slot.id() + " restarts in " + Durations.seconds(delay)
					+ " (backoff after quick failures)");
		}
	}

}
