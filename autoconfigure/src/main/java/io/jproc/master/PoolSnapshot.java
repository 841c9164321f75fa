package io.jproc.master;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.jproc.PoolState;
import io.jproc.SlotState;
import io.jproc.ipc.PoolStatus;
import io.jproc.master.launch.ListenSocket;
import io.jproc.master.pool.MasterState;
import io.jproc.master.pool.Replacement;
import io.jproc.master.pool.Slot;
import io.jproc.master.pool.Spares;
import io.jproc.master.process.Exit;
import io.jproc.master.process.WorkerHandle;
import io.jproc.master.process.WorkerState;
import org.jspecify.annotations.Nullable;

/**
 * Turns the arbiter's state into the {@link PoolStatus} message workers ask for. Runs on
 * the arbiter thread only: it reads state nobody else may touch, and it only reads. Every
 * live process of a slot appears: its serving (or booting, or last leaving) worker as the
 * slot's worker, a replacement on its way as {@code incoming}, the others as
 * {@code leaving}.
 */
public final class PoolSnapshot {

	private PoolSnapshot() {
	}

	public static PoolStatus take(Instant now, PoolState masterState, Instant startedAt, List<ListenSocket> sockets,
			List<Slot> slots, PoolStatus.@Nullable Operation operation, List<String> warnings,
			PoolStatus.@Nullable BootCache bootCache, Spares spares) {
		List<String> listening = sockets.stream()
			.map((socket) -> socket.describe() + " (" + socket.name() + ")")
			.toList();
		List<PoolStatus.Listener> listeners = sockets.stream()
			.map((socket) -> new PoolStatus.Listener(socket.name(), socket.describe(), socket.source().value()))
			.toList();
		PoolStatus.Master master = new PoolStatus.Master(ProcessHandle.current().pid(), masterState, startedAt,
				listening, slots.size(), operation, listeners, warnings, bootCache, spares.wanted(),
				spares.gaveUpReason());
		List<PoolStatus.Slot> entries = new ArrayList<>(slots.size());
		for (Slot slot : slots) {
			entries.add(slot(slot));
		}
		List<PoolStatus.Spare> spareEntries = spares.live()
			.stream()
			.map((spare) -> new PoolStatus.Spare(spare.pid(), spare.generation(),
					spare.state().name().toLowerCase(java.util.Locale.ROOT), spare.spawnedAt(), spare.readyAt(),
					spare.bootCacheUsed(), spare.lastHeartbeat()))
			.toList();
		return new PoolStatus(now, master, entries, null, spareEntries);
	}

	public static PoolState masterState(MasterState state, List<Slot> slots) {
		if (state == MasterState.SHUTTING_DOWN) {
			return PoolState.SHUTTING_DOWN;
		}
		return slots.stream().anyMatch(Slot::gaveUp) ? PoolState.GIVING_UP : PoolState.RUNNING;
	}

	private static PoolStatus.Slot slot(Slot slot) {
		List<WorkerHandle> leaving = slot.leaving();
		WorkerHandle worker = slot.current();
		PoolStatus.Incoming incoming = null;
		if (worker == null) {
			worker = (slot.incoming() != null) ? slot.incoming()
					: leaving.isEmpty() ? null : leaving.get(leaving.size() - 1);
		}
		else if (slot.incoming() != null) {
			WorkerHandle coming = slot.incoming();
			Replacement why = slot.incomingReason();
			incoming = new PoolStatus.Incoming(coming.pid(), (why != null) ? why.wireName() : "start",
					coming.spawnedAt());
		}
		WorkerHandle shown = worker;
		List<Long> leavingPids = leaving.stream().filter((other) -> other != shown).map(WorkerHandle::pid).toList();
		boolean running = worker != null && worker.state() != WorkerState.EXITED;
		PoolStatus.LastExit lastExit = null;
		if (slot.lastExit() != null && slot.lastExitAt() != null) {
			Exit exit = slot.lastExit();
			lastExit = new PoolStatus.LastExit(exit.code(), (exit.signal() > 0) ? exit.signalName() : null,
					String.valueOf(slot.lastExitReason()), slot.lastExitAt());
		}
		return new PoolStatus.Slot(slot.id(), running ? worker.pid() : null, state(slot, running ? worker : null),
				running ? worker.spawnedAt() : null, running ? worker.readyAt() : null, slot.restarts(),
				slot.restartsByReason(), lastExit, running ? worker.lastHeartbeat() : null,
				running ? worker.figures() : null, running ? null : slot.respawnAt(), slot.gaveUpReason(), incoming,
				leavingPids, running ? worker.bootCacheUsed() : null);
	}

	private static SlotState state(Slot slot, @Nullable WorkerHandle worker) {
		if (worker != null) {
			return SlotState.valueOf(worker.state().name());
		}
		if (slot.gaveUp()) {
			return SlotState.GIVEN_UP;
		}
		return (slot.respawnAt() != null) ? SlotState.BACKOFF : SlotState.EXITED;
	}

}
