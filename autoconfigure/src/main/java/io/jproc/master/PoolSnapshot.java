package io.jproc.master;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.jproc.ipc.Message.PoolStatus;
import org.jspecify.annotations.Nullable;

/**
 * Turns the arbiter's state into the {@link PoolStatus} message workers ask for. Runs on
 * the arbiter thread only: it reads state nobody else may touch, and it only reads.
 */
final class PoolSnapshot {

	private PoolSnapshot() {
	}

	static PoolStatus take(Instant now, String masterState, Instant startedAt, List<ListenSocket> sockets,
			List<Slot> slots, List<WorkerHandle> live, PoolStatus.@Nullable Operation operation,
			PoolStatus.@Nullable BootCache bootCache) {
		List<String> listening = sockets.stream().map((socket) -> socket.describe() + " (" + socket.name() + ")")
			.toList();
		PoolStatus.Master master = new PoolStatus.Master(ProcessHandle.current().pid(), masterState, startedAt,
				listening, slots.size(), operation, bootCache);
		List<PoolStatus.Slot> entries = new ArrayList<>(slots.size());
		for (Slot slot : slots) {
			entries.add(slot(slot, workerOf(slot, live)));
		}
		return new PoolStatus(now, master, entries);
	}

	static String masterState(Arbiter.MasterState state, List<Slot> slots) {
		if (state == Arbiter.MasterState.SHUTTING_DOWN) {
			return "shutting-down";
		}
		return slots.stream().anyMatch(Slot::gaveUp) ? "giving-up" : "running";
	}

	private static @Nullable WorkerHandle workerOf(Slot slot, List<WorkerHandle> live) {
		if (slot.current() != null) {
			return slot.current();
		}
		// A worker still draining after its slot moved on (shutdown, retirement).
		WorkerHandle found = null;
		for (WorkerHandle worker : live) {
			if (worker.id() == slot.id()) {
				found = worker;
			}
		}
		return found;
	}

	private static PoolStatus.Slot slot(Slot slot, @Nullable WorkerHandle worker) {
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
				running ? worker.figures() : null, running ? null : slot.respawnAt(), slot.gaveUpReason(),
				running ? worker.bootCacheUsed() : null);
	}

	private static String state(Slot slot, @Nullable WorkerHandle worker) {
		if (worker != null) {
			return worker.state().name().toLowerCase(Locale.ROOT);
		}
		if (slot.gaveUp()) {
			return "given-up";
		}
		return (slot.respawnAt() != null) ? "backoff" : "exited";
	}

}
