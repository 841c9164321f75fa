package io.jproc.ipc;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.jproc.PoolState;
import io.jproc.SlotState;
import io.jproc.ipc.Message.Heartbeat;
import org.jspecify.annotations.Nullable;

/**
 * Master to worker: the pool as the master sees it, taken on the arbiter thread.
 * <p>
 * Internal: public for jproc's own packages, not API.
 *
 * @param takenAt when the master took this snapshot (ages are measured from it)
 * @param master the master itself
 * @param slots one entry per worker slot, by id
 * @param messaging the leader and the relay's counters, {@code null} from a master
 * without them
 * @param spares the spare workers, {@code null} from a master without them
 * @param queries what workers asked the master about the pool, {@code null} from a master
 * without these counters
 */
public record PoolStatus(Instant takenAt, Master master, List<Slot> slots, @Nullable Messaging messaging,
		@Nullable List<Spare> spares, @Nullable Queries queries) implements Message {

	/**
	 * A status without query counters.
	 * @param takenAt when the master took this snapshot
	 * @param master the master itself
	 * @param slots one entry per worker slot
	 * @param messaging the leader and the relay's counters
	 * @param spares the spare workers
	 */
	public PoolStatus(Instant takenAt, Master master, List<Slot> slots, @Nullable Messaging messaging,
			@Nullable List<Spare> spares) {
		this(takenAt, master, slots, messaging, spares, null);
	}

	/**
	 * A status without spares.
	 * @param takenAt when the master took this snapshot
	 * @param master the master itself
	 * @param slots one entry per worker slot
	 * @param messaging the leader and the relay's counters
	 */
	public PoolStatus(Instant takenAt, Master master, List<Slot> slots, @Nullable Messaging messaging) {
		this(takenAt, master, slots, messaging, null, null);
	}

	/**
	 * A status without messaging figures.
	 * @param takenAt when the master took this snapshot
	 * @param master the master itself
	 * @param slots one entry per worker slot
	 */
	public PoolStatus(Instant takenAt, Master master, List<Slot> slots) {
		this(takenAt, master, slots, null, null, null);
	}

	/**
	 * A spare worker: booted or booting, in no slot, taking no connection.
	 *
	 * @param pid its process id
	 * @param number its spawn number, which names it ({@code spare #7})
	 * @param state {@code starting}, {@code ready} or {@code draining} (a spare of an old
	 * build leaving after a reload, or at shutdown)
	 * @param startedAt when it was spawned
	 * @param readyAt when it reported ready, {@code null} while it boots
	 * @param bootCacheUsed whether its JVM mapped the boot cache's archive, {@code null}
	 * until it is ready
	 * @param lastHeartbeat when the master last heard from it
	 */
	public record Spare(long pid, long number, String state, Instant startedAt, @Nullable Instant readyAt,
			@Nullable Boolean bootCacheUsed, @Nullable Instant lastHeartbeat) {
	}

	/**
	 * What workers asked the master about the pool since it started: each is one event on
	 * the master's loop. Health probes and meters share one pool status per worker and
	 * per {@code jproc.health.max-age}, and concurrent Prometheus scrapes landing on one
	 * worker share one gathering, so a flood of either shows here as a trickle.
	 *
	 * @param status pool status requests (health, meters, {@code /actuator/workers})
	 * @param scrapes pool-wide scrape requests (each asks every other ready worker)
	 */
	public record Queries(long status, long scrapes) {
	}

	/**
	 * The pool's leader and the messages the master relayed.
	 *
	 * @param leader the worker holding the current epoch, {@code null} when none does
	 * @param epoch the latest epoch granted, {@code 0} before the first
	 * @param relayed application messages handed to a destination's queue, and asks
	 * answered
	 * @param dropped application messages the relay did not deliver, every reason
	 * together
	 * @param asks asks relayed
	 * @param gathers gathers relayed
	 * @param droppedByReason the same by reason ({@code queue-full}, {@code oversize},
	 * {@code no-worker}, {@code from-spare}, {@code channel-closed},
	 * {@code left-unsent}), only the reasons seen; empty from a master of an earlier
	 * build
	 */
	public record Messaging(@Nullable Leader leader, long epoch, long relayed, long dropped, long asks, long gathers,
			Map<String, Long> droppedByReason) {

		public Messaging {
			droppedByReason = (droppedByReason != null) ? Map.copyOf(droppedByReason) : Map.of();
		}

	}

	/**
	 * The leader.
	 *
	 * @param id its slot id
	 * @param pid its pid
	 * @param epoch its epoch
	 * @param revoking whether it has been asked to stop leading and has not yet
	 * acknowledged
	 */
	public record Leader(int id, long pid, long epoch, boolean revoking) {
	}

	/**
	 * The master process.
	 *
	 * @param pid its process id
	 * @param state {@code running}, {@code giving-up} (some slots given up) or
	 * {@code shutting-down}
	 * @param startedAt when its JVM started
	 * @param listening the addresses it listens on, such as
	 * {@code 127.0.0.1:8080 (server)}
	 * @param workersWanted the number of worker slots
	 * @param operation the current or last reload, scale or restart, {@code null} if none
	 * yet
	 * @param listeners the listening sockets and where each came from
	 * @param warnings what an operator should act on, such as a jar overwritten in place
	 * @param bootCache the boot cache, {@code null} if not known
	 * @param sparesWanted {@code jproc.spare-workers}
	 * @param sparesGaveUpReason why spares are given up until the next reload,
	 * {@code null} while they are not
	 */
	public record Master(long pid, PoolState state, Instant startedAt, List<String> listening, int workersWanted,
			@Nullable Operation operation, @Nullable List<Listener> listeners, @Nullable List<String> warnings,
			@Nullable BootCache bootCache, int sparesWanted, @Nullable String sparesGaveUpReason) {

		/**
		 * A master without listener details, warnings or boot cache (as older masters
		 * sent).
		 * @param pid its process id
		 * @param state its state
		 * @param startedAt when its JVM started
		 * @param listening the addresses it listens on
		 * @param workersWanted the number of worker slots
		 * @param operation the current or last operation
		 */
		public Master(long pid, PoolState state, Instant startedAt, List<String> listening, int workersWanted,
				@Nullable Operation operation) {
			this(pid, state, startedAt, listening, workersWanted, operation, null, null, null, 0, null);
		}

	}

	/**
	 * A listening socket of the master.
	 *
	 * @param name {@code server} or {@code management}
	 * @param address the address, such as {@code 127.0.0.1:8080}
	 * @param source {@code bound} (the master bound it) or {@code systemd} (socket
	 * activation)
	 */
	public record Listener(String name, String address, String source) {
	}

	/**
	 * The master's boot cache.
	 *
	 * @param state {@code off}, {@code training}, {@code ready} or {@code failed}
	 * @param kind {@code aot} (JDK 25+) or {@code cds}, {@code null} when off
	 * @param path the cache directory for the current jar, {@code null} if none
	 * @param reason why it is off or failed, or what training does now
	 */
	public record BootCache(String state, @Nullable String kind, @Nullable String path, @Nullable String reason) {
	}

	/**
	 * The pool's current or last operation (reload, scale, restart).
	 *
	 * @param action what it does
	 * @param trigger what asked for it, such as {@code SIGHUP} or {@code actuator}
	 * @param state where it is
	 * @param replaced workers replaced so far
	 * @param total workers to replace
	 * @param startedAt when it began
	 * @param endedAt when it ended, {@code null} while running
	 * @param message what happened, in words
	 */
	public record Operation(Message.Command.Action action, String trigger, State state, int replaced, int total,
			Instant startedAt, @Nullable Instant endedAt, String message) {

		/**
		 * Where an operation is.
		 */
		public enum State implements WireEnum {

			/** Replacing workers. */
			RUNNING,

			/** Every worker it was to replace was replaced. */
			DONE,

			/** Stopped: a new worker failed or was not ready in time. */
			FAILED

		}

	}

	/**
	 * One worker slot and the worker in it, if any.
	 *
	 * @param id the worker id
	 * @param pid the worker's pid, {@code null} while the slot is empty
	 * @param state the worker's state in lower case ({@code starting}, {@code ready},
	 * {@code retiring}, {@code draining}) or, for an empty slot, {@code exited},
	 * {@code backoff} (waiting to restart) or {@code given-up}
	 * @param startedAt when the worker was spawned
	 * @param readyAt when it reported ready
	 * @param restarts how many times the slot's worker was replaced
	 * @param restartsByReason the same, by reason ({@code crash}, {@code boot-failure},
	 * ...)
	 * @param lastExit how the slot's previous worker ended
	 * @param lastHeartbeat when the master last heard from the worker
	 * @param figures the figures of the worker's last heartbeat, {@code null} before the
	 * first
	 * @param restartAt when a slot in backoff restarts
	 * @param gaveUpReason why the slot was given up
	 * @param incoming the worker booting to replace the slot's serving one, if any
	 * @param leaving pids of the slot's earlier workers still draining
	 * @param bootCacheUsed whether the worker's JVM mapped the boot cache's archive,
	 * {@code null} until it is ready
	 */
	public record Slot(int id, @Nullable Long pid, SlotState state, @Nullable Instant startedAt,
			@Nullable Instant readyAt, int restarts, Map<String, Integer> restartsByReason, @Nullable LastExit lastExit,
			@Nullable Instant lastHeartbeat, @Nullable Heartbeat figures, @Nullable Instant restartAt,
			@Nullable String gaveUpReason, @Nullable Incoming incoming, List<Long> leaving,
			@Nullable Boolean bootCacheUsed) {

		/**
		 * A slot whose worker did not report on the boot cache.
		 * @param id the worker id
		 * @param pid the worker's pid, {@code null} while the slot is empty
		 * @param state the worker's state, or the empty slot's
		 * @param startedAt when the worker was spawned
		 * @param readyAt when it reported ready
		 * @param restarts how many times the slot's worker was replaced
		 * @param restartsByReason the same, by reason
		 * @param lastExit how the slot's previous worker ended
		 * @param lastHeartbeat when the master last heard from the worker
		 * @param figures the figures of the worker's last heartbeat, {@code null} before
		 * the first
		 * @param restartAt when a slot in backoff restarts
		 * @param gaveUpReason why the slot was given up
		 * @param incoming the worker booting to replace the slot's serving one, if any
		 * @param leaving pids of the slot's earlier workers still draining
		 */
		public Slot(int id, @Nullable Long pid, SlotState state, @Nullable Instant startedAt, @Nullable Instant readyAt,
				int restarts, Map<String, Integer> restartsByReason, @Nullable LastExit lastExit,
				@Nullable Instant lastHeartbeat, @Nullable Heartbeat figures, @Nullable Instant restartAt,
				@Nullable String gaveUpReason, @Nullable Incoming incoming, List<Long> leaving) {
			this(id, pid, state, startedAt, readyAt, restarts, restartsByReason, lastExit, lastHeartbeat, figures,
					restartAt, gaveUpReason, incoming, leaving, null);
		}

		/**
		 * A slot with nothing incoming or leaving.
		 * @param id the worker id
		 * @param pid the worker's pid, {@code null} while the slot is empty
		 * @param state the worker's state, or the empty slot's
		 * @param startedAt when the worker was spawned
		 * @param readyAt when it reported ready
		 * @param restarts how many times the slot's worker was replaced
		 * @param restartsByReason the same, by reason
		 * @param lastExit how the slot's previous worker ended
		 * @param lastHeartbeat when the master last heard from the worker
		 * @param figures the figures of the worker's last heartbeat, {@code null} before
		 * the first
		 * @param restartAt when a slot in backoff restarts
		 * @param gaveUpReason why the slot was given up
		 */
		public Slot(int id, @Nullable Long pid, SlotState state, @Nullable Instant startedAt, @Nullable Instant readyAt,
				int restarts, Map<String, Integer> restartsByReason, @Nullable LastExit lastExit,
				@Nullable Instant lastHeartbeat, @Nullable Heartbeat figures, @Nullable Instant restartAt,
				@Nullable String gaveUpReason) {
			this(id, pid, state, startedAt, readyAt, restarts, restartsByReason, lastExit, lastHeartbeat, figures,
					restartAt, gaveUpReason, null, List.of());
		}

		/**
		 * Whether the slot's worker is taking traffic.
		 * @return {@code true} for {@code ready} and {@code retiring}
		 */
		public boolean isServing() {
			return this.state.isServing();
		}

	}

	/**
	 * A worker on its way into a slot that has a serving worker.
	 *
	 * @param pid its pid
	 * @param reason why it comes: {@code reload}, {@code restart}, {@code planned},
	 * {@code fatal}, {@code hung}, {@code crash}, ...
	 * @param startedAt when it was spawned
	 */
	public record Incoming(long pid, String reason, Instant startedAt) {
	}

	/**
	 * How a slot's previous worker ended.
	 *
	 * @param code its exit code, {@code -1} when killed by a signal
	 * @param signal the signal's name such as {@code KILL}, {@code null} for an exit
	 * @param reason why, as the master logged it
	 * @param at when the master saw it
	 */
	public record LastExit(int code, @Nullable String signal, String reason, Instant at) {
	}

}
