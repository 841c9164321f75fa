package io.jproc.ipc;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.jproc.PoolState;
import io.jproc.SlotState;
import org.jspecify.annotations.Nullable;

/**
 * Every message master and workers exchange. Each record is one message type; its wire
 * name is the record's simple name in kebab case ({@code Ready} is {@code "ready"}). Add
 * a type by adding a record here: {@link MessageTypes} finds it.
 */
public sealed interface Message {

	/**
	 * Worker to master: the application is ready to take traffic.
	 *
	 * @param pid the worker's process id
	 * @param bootMillis time from JVM start to ready, as the worker saw it
	 * @param bootCacheUsed whether the worker's JVM mapped the boot cache's class archive
	 */
	record Ready(long pid, long bootMillis, boolean bootCacheUsed) implements Message {

		/**
		 * A worker started without the boot cache.
		 * @param pid the worker's process id
		 * @param bootMillis time from JVM start to ready, as the worker saw it
		 */
		public Ready(long pid, long bootMillis) {
			this(pid, bootMillis, false);
		}

	}

	/**
	 * Master to worker: stop accepting, drain in-flight requests and exit 0.
	 *
	 * @param reason why, for the worker's log
	 */
	record Stop(String reason) implements Message {
	}

	/**
	 * Master to worker: the pool is shutting down; close this worker's copies of the
	 * listening sockets now, so that once every process has closed its copy new
	 * connections are refused at once instead of queued and reset. Comes before
	 * {@link Stop}; in-flight requests still finish.
	 */
	record CloseListeners() implements Message {
	}

	/**
	 * Master to a spare worker: take this slot. The worker becomes worker {@code id} (its
	 * {@code jproc.worker.id}, log prefix and {@code JprocWorker}) and accepts
	 * connections on the shared socket at once, or as soon as its server has started if
	 * it is still booting.
	 *
	 * @param id the slot id, from 1
	 */
	record TakeSlot(int id) implements Message {
	}

	/**
	 * Worker to master: liveness and the worker's figures.
	 *
	 * @param heapUsed heap bytes in use
	 * @param heapMax maximum heap bytes
	 * @param rss resident set size in bytes, {@code -1} if unknown
	 * @param requestsServed requests completed since start
	 * @param requestsInFlight requests being served now
	 */
	record Heartbeat(long heapUsed, long heapMax, long rss, long requestsServed,
			long requestsInFlight) implements Message {
	}

	/**
	 * Worker to master: replace me. Urgent reasons stop accepting at once; planned ones
	 * keep serving until the master sends {@link ReplacementReady}.
	 *
	 * @param reason what happened
	 * @param urgent whether the worker may be corrupt and stops accepting at once
	 */
	record Retire(String reason, boolean urgent) implements Message {
	}

	/**
	 * Master to worker: your replacement is ready (or will not come); drain and exit.
	 *
	 * @param replacementPid pid of the replacement, {@code -1} if none
	 */
	record ReplacementReady(long replacementPid) implements Message {
	}

	/**
	 * Worker to master: how is the pool? Answered with {@link PoolStatus}.
	 */
	record PoolStatusRequest() implements Message {
	}

	/**
	 * Master to worker: the pool as the master sees it, taken on the arbiter thread.
	 *
	 * @param takenAt when the master took this snapshot (ages are measured from it)
	 * @param master the master itself
	 * @param slots one entry per worker slot, by id
	 * @param messaging the leader and the relay's counters, {@code null} from a master
	 * without them
	 * @param spares the spare workers, {@code null} from a master without them
	 */
	record PoolStatus(Instant takenAt, Master master, List<Slot> slots, @Nullable Messaging messaging,
			@Nullable List<Spare> spares) implements Message {

		/**
		 * A status without spares.
		 * @param takenAt when the master took this snapshot
		 * @param master the master itself
		 * @param slots one entry per worker slot
		 * @param messaging the leader and the relay's counters
		 */
		public PoolStatus(Instant takenAt, Master master, List<Slot> slots, @Nullable Messaging messaging) {
			this(takenAt, master, slots, messaging, null);
		}

		/**
		 * A status without messaging figures.
		 * @param takenAt when the master took this snapshot
		 * @param master the master itself
		 * @param slots one entry per worker slot
		 */
		public PoolStatus(Instant takenAt, Master master, List<Slot> slots) {
			this(takenAt, master, slots, null, null);
		}

		/**
		 * A spare worker: booted or booting, in no slot, taking no connection.
		 *
		 * @param pid its process id
		 * @param number its spawn number, which names it ({@code spare #7})
		 * @param state {@code starting}, {@code ready} or {@code draining} (a spare of an
		 * old build leaving after a reload, or at shutdown)
		 * @param startedAt when it was spawned
		 * @param readyAt when it reported ready, {@code null} while it boots
		 * @param bootCacheUsed whether its JVM mapped the boot cache's archive,
		 * {@code null} until it is ready
		 * @param lastHeartbeat when the master last heard from it
		 */
		public record Spare(long pid, long number, String state, Instant startedAt, @Nullable Instant readyAt,
				@Nullable Boolean bootCacheUsed, @Nullable Instant lastHeartbeat) {
		}

		/**
		 * The pool's leader and the messages the master relayed.
		 *
		 * @param leader the worker holding the current epoch, {@code null} when none does
		 * @param epoch the latest epoch granted, {@code 0} before the first
		 * @param relayed application messages handed to a destination's queue, and asks
		 * answered
		 * @param dropped messages not relayed because a destination's queue was full
		 * @param asks asks relayed
		 * @param gathers gathers relayed
		 */
		public record Messaging(@Nullable Leader leader, long epoch, long relayed, long dropped, long asks,
				long gathers) {
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
		 * @param operation the current or last reload, scale or restart, {@code null} if
		 * none yet
		 * @param listeners the listening sockets and where each came from
		 * @param warnings what an operator should act on, such as a jar overwritten in
		 * place
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
		 * @param action {@code reload}, {@code scale} or {@code restart}
		 * @param trigger what asked for it, such as {@code SIGHUP} or {@code actuator}
		 * @param state {@code running}, {@code done} or {@code failed}
		 * @param replaced workers replaced so far
		 * @param total workers to replace
		 * @param startedAt when it began
		 * @param endedAt when it ended, {@code null} while running
		 * @param message what happened, in words
		 */
		public record Operation(String action, String trigger, String state, int replaced, int total, Instant startedAt,
				@Nullable Instant endedAt, String message) {
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
		 * @param restartsByReason the same, by reason ({@code crash},
		 * {@code boot-failure}, ...)
		 * @param lastExit how the slot's previous worker ended
		 * @param lastHeartbeat when the master last heard from the worker
		 * @param figures the figures of the worker's last heartbeat, {@code null} before
		 * the first
		 * @param restartAt when a slot in backoff restarts
		 * @param gaveUpReason why the slot was given up
		 * @param incoming the worker booting to replace the slot's serving one, if any
		 * @param leaving pids of the slot's earlier workers still draining
		 * @param bootCacheUsed whether the worker's JVM mapped the boot cache's archive,
		 * {@code null} until it is ready
		 */
		public record Slot(int id, @Nullable Long pid, SlotState state, @Nullable Instant startedAt,
				@Nullable Instant readyAt, int restarts, Map<String, Integer> restartsByReason,
				@Nullable LastExit lastExit, @Nullable Instant lastHeartbeat, @Nullable Heartbeat figures,
				@Nullable Instant restartAt, @Nullable String gaveUpReason, @Nullable Incoming incoming,
				List<Long> leaving, @Nullable Boolean bootCacheUsed) {

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
			 * @param figures the figures of the worker's last heartbeat, {@code null}
			 * before the first
			 * @param restartAt when a slot in backoff restarts
			 * @param gaveUpReason why the slot was given up
			 * @param incoming the worker booting to replace the slot's serving one, if
			 * any
			 * @param leaving pids of the slot's earlier workers still draining
			 */
			public Slot(int id, @Nullable Long pid, SlotState state, @Nullable Instant startedAt,
					@Nullable Instant readyAt, int restarts, Map<String, Integer> restartsByReason,
					@Nullable LastExit lastExit, @Nullable Instant lastHeartbeat, @Nullable Heartbeat figures,
					@Nullable Instant restartAt, @Nullable String gaveUpReason, @Nullable Incoming incoming,
					List<Long> leaving) {
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
			 * @param figures the figures of the worker's last heartbeat, {@code null}
			 * before the first
			 * @param restartAt when a slot in backoff restarts
			 * @param gaveUpReason why the slot was given up
			 */
			public Slot(int id, @Nullable Long pid, SlotState state, @Nullable Instant startedAt,
					@Nullable Instant readyAt, int restarts, Map<String, Integer> restartsByReason,
					@Nullable LastExit lastExit, @Nullable Instant lastHeartbeat, @Nullable Heartbeat figures,
					@Nullable Instant restartAt, @Nullable String gaveUpReason) {
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

	/**
	 * Worker to master: gather the metrics of every other ready worker for a Prometheus
	 * scrape. Answered with {@link PoolScrape}.
	 *
	 * @param format {@code prometheus} (text 0.0.4) or {@code openmetrics} (OpenMetrics
	 * 1.0.0)
	 * @param includedNames only these series, {@code null} for all
	 */
	record PoolScrapeRequest(String format, @Nullable List<String> includedNames) implements Message {
	}

	/**
	 * Master to worker: what the other workers answered, and the pool's status.
	 *
	 * @param pool the pool's status at the time of the answer
	 * @param workers one entry per other worker asked
	 */
	record PoolScrape(PoolStatus pool, List<WorkerScrape> workers) implements Message {

		/**
		 * One worker's part of a pool scrape.
		 *
		 * @param id the worker id
		 * @param pid the worker's pid
		 * @param text its exposition text, {@code null} when it failed
		 * @param error why it failed, {@code null} on success
		 */
		public record WorkerScrape(int id, long pid, @Nullable String text, @Nullable String error) {
		}

	}

	/**
	 * Master to worker: send me your own metrics. Answered with {@link Scrape}.
	 *
	 * @param format as in {@link PoolScrapeRequest}
	 * @param includedNames as in {@link PoolScrapeRequest}
	 */
	record ScrapeRequest(String format, @Nullable List<String> includedNames) implements Message {
	}

	/**
	 * Worker to master: its own metrics.
	 *
	 * @param text the exposition text
	 */
	record Scrape(String text) implements Message {
	}

	/**
	 * Worker to master: the worker has stopped serving (Boot's graceful shutdown ended)
	 * and is closing down. Reported for the retirement log line.
	 *
	 * @param unfinished requests still in flight when the drain ended; more than 0 when
	 * {@code jproc.drain-timeout} cut them off
	 */
	record Drained(long unfinished) implements Message {
	}

	/**
	 * Either side, as a reply: the request could not be served.
	 *
	 * @param message what went wrong
	 */
	record Failure(String message) implements Message {
	}

	/**
	 * Worker to master: change the pool. Answered with {@link CommandResult}.
	 *
	 * @param action {@code reload}, {@code scale} or {@code restart}
	 * @param workers the wanted number of workers, for {@code scale}
	 * @param id the worker to restart, for {@code restart}
	 */
	record Command(String action, @Nullable Integer workers, @Nullable Integer id) implements Message {
	}

	/**
	 * Master to worker: what became of a {@link Command}.
	 *
	 * @param accepted whether the master took it (it then runs in the background)
	 * @param refusal why not, when refused: {@code invalid}, {@code not-found} or
	 * {@code conflict}
	 * @param message what the master does, or why it refused, in words
	 */
	record CommandResult(boolean accepted, @Nullable String refusal, String message) implements Message {
	}

	/**
	 * An application message, relayed by the master. Worker to master: {@code to} names
	 * the destination; the master sets {@code from} on what it delivers. Sent as a
	 * request (ask) it is answered with {@link AppReply} or {@link Failure}.
	 *
	 * @param topic the application's topic; topics under {@code jproc.} are jproc's own
	 * @param payload the payload as JSON text
	 * @param from the sending worker's id ({@code 0} until the master sets it)
	 * @param to a worker id, {@link #EVERY_WORKER} or {@link #EVERY_OTHER_WORKER}
	 * @param eventType for a cross-worker application event, its class name
	 * @param askTimeoutMillis for an ask, how long the asker waits (the message is then a
	 * request to answer); {@code 0} for a message that expects no answer
	 */
	record AppMessage(String topic, String payload, int from, int to, @Nullable String eventType,
			long askTimeoutMillis) implements Message {

		/** Every ready worker, the sender included. */
		public static final int EVERY_WORKER = 0;

		/** Every ready worker but the sender. */
		public static final int EVERY_OTHER_WORKER = -1;

	}

	/**
	 * The answer of a worker's listener to an asked {@link AppMessage}.
	 *
	 * @param payload the answer as JSON text
	 * @param pid the answering worker's pid
	 */
	record AppReply(String payload, long pid) implements Message {
	}

	/**
	 * Worker to master: ask every ready worker (the sender included) and gather what they
	 * answer within the timeout. Answered with {@link Gathered}.
	 *
	 * @param topic the topic
	 * @param payload the payload as JSON text
	 * @param timeoutMillis how long each worker has to answer
	 */
	record GatherRequest(String topic, String payload, long timeoutMillis) implements Message {
	}

	/**
	 * Master to worker: each worker's outcome of a {@link GatherRequest}.
	 *
	 * @param outcomes one per worker slot
	 */
	record Gathered(List<Outcome> outcomes) implements Message {

		/**
		 * One worker's part.
		 *
		 * @param worker the worker id
		 * @param pid its pid, {@code -1} when no worker serves the slot
		 * @param status {@code answered}, {@code late}, {@code failed} or
		 * {@code left-out}
		 * @param payload the answer as JSON text when answered
		 * @param error what went wrong otherwise
		 */
		public record Outcome(int worker, long pid, String status, @Nullable String payload, @Nullable String error) {
		}

	}

	/**
	 * Master to worker: the workers taking traffic now, sent whenever that changes, so
	 * that a sender can refuse an unknown worker id at once.
	 *
	 * @param ids the ids of serving workers, ascending
	 */
	record Members(List<Integer> ids) implements Message {
	}

	/**
	 * Master to worker: you lead the pool from now on, with this epoch.
	 *
	 * @param epoch the leadership epoch, larger than every earlier one
	 */
	record Grant(long epoch) implements Message {
	}

	/**
	 * Master to worker: stop leading. Answered by a {@link RevokeAck} once leader-only
	 * work has stopped.
	 *
	 * @param epoch the epoch being revoked
	 */
	record Revoke(long epoch) implements Message {
	}

	/**
	 * Worker to master: this worker no longer acts as the leader of the epoch.
	 *
	 * @param epoch the epoch given up
	 */
	record RevokeAck(long epoch) implements Message {
	}

	/**
	 * Worker to master: the leader asks to give leadership to another worker.
	 *
	 * @param epoch the epoch it holds
	 */
	record Yield(long epoch) implements Message {
	}

}
