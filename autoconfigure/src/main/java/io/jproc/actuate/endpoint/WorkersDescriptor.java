package io.jproc.actuate.endpoint;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.jproc.PoolState;
import io.jproc.SlotState;
import io.jproc.ipc.Message;
import io.jproc.ipc.PoolStatus;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;

/**
 * What {@code GET /actuator/workers} returns. The layout is an interface people script
 * against: fields are added, never renamed or removed, and absent figures are
 * {@code null}, never left out.
 *
 * @param answeredBy the worker that served this request
 * @param master the master process
 * @param workers one entry per worker slot, by id
 * @param spares the spare workers, which take slots when workers are replaced
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record WorkersDescriptor(AnsweredBy answeredBy, MasterDescriptor master, List<WorkerDescriptor> workers,
		List<SpareDescriptor> spares) implements OperationResponseBody {

	static WorkersDescriptor of(AnsweredBy answeredBy, PoolStatus status) {
		List<WorkerDescriptor> workers = status.slots()
			.stream()
			.map((slot) -> WorkerDescriptor.of(slot, status.takenAt()))
			.toList();
		PoolStatus.Master master = status.master();
		int ready = (int) status.slots().stream().filter(PoolStatus.Slot::isServing).count();
		List<SpareDescriptor> spares = (status.spares() != null)
				? status.spares().stream().map((spare) -> SpareDescriptor.of(spare, status.takenAt())).toList()
				: List.of();
		return new WorkersDescriptor(answeredBy,
				new MasterDescriptor(master.pid(), master.state(), master.startedAt(),
						millis(master.startedAt(), status.takenAt()), master.listening(), master.workersWanted(), ready,
						master.operation(), (master.listeners() != null) ? master.listeners() : List.of(),
						(master.warnings() != null) ? master.warnings() : List.of(), leader(status.messaging()),
						messages(status.messaging()), BootCacheDescriptor.of(master.bootCache()), master.sparesWanted(),
						(int) spares.stream().filter((spare) -> "ready".equals(spare.state())).count(),
						master.sparesGaveUpReason(), status.queries()),
				workers, spares);
	}

	private static @Nullable LeaderDescriptor leader(PoolStatus.@Nullable Messaging messaging) {
		PoolStatus.Leader leader = (messaging != null) ? messaging.leader() : null;
		return (leader != null) ? new LeaderDescriptor(leader.id(), leader.pid(), leader.epoch(), leader.revoking())
				: null;
	}

	private static @Nullable MessagesDescriptor messages(PoolStatus.@Nullable Messaging messaging) {
		return (messaging != null) ? new MessagesDescriptor(messaging.epoch(), messaging.relayed(), messaging.dropped(),
				messaging.asks(), messaging.gathers(), messaging.droppedByReason()) : null;
	}

	static @Nullable Long millis(@Nullable Instant from, Instant to) {
		return (from != null) ? Duration.between(from, to).toMillis() : null;
	}

	/**
	 * The worker that served the request.
	 *
	 * @param id its id
	 * @param pid its process id
	 */
	public record AnsweredBy(int id, long pid) {
	}

	/**
	 * The master process.
	 *
	 * @param pid its process id
	 * @param state {@code running}, {@code giving-up} (at least one slot given up) or
	 * {@code shutting-down}
	 * @param startedAt when it started
	 * @param uptimeMillis time since it started
	 * @param listening the addresses it listens on for the workers
	 * @param workersWanted worker slots
	 * @param workersReady workers taking traffic
	 * @param operation the current or last reload, scale or restart, {@code null} before
	 * the first
	 * @param listeners the listening sockets, each with where it came from ({@code bound}
	 * or {@code systemd})
	 * @param warnings what an operator should act on, such as the jar overwritten in
	 * place
	 * @param leader the leader of the pool, {@code null} while none leads
	 * @param messages the master's message counters
	 * @param bootCache the boot cache: {@code state} ({@code off}, {@code training},
	 * {@code ready}, {@code failed}), {@code kind} ({@code aot}, {@code cds}),
	 * {@code path} and {@code reason}
	 * @param sparesWanted {@code jproc.spare-workers}
	 * @param sparesReady spares booted and waiting
	 * @param sparesGaveUpReason why no spare boots until the next reload, {@code null}
	 * while spares boot
	 * @param queries what workers asked the master about the pool since it started:
	 * {@code status} (health, meters, this endpoint) and {@code scrapes} (pool-wide
	 * Prometheus scrapes), {@code null} from a master without these counters
	 */
	@JsonInclude(JsonInclude.Include.ALWAYS)
	public record MasterDescriptor(long pid, PoolState state, Instant startedAt, @Nullable Long uptimeMillis,
			List<String> listening, int workersWanted, int workersReady, PoolStatus.@Nullable Operation operation,
			List<PoolStatus.Listener> listeners, List<String> warnings, @Nullable LeaderDescriptor leader,
			@Nullable MessagesDescriptor messages, @Nullable BootCacheDescriptor bootCache, int sparesWanted,
			int sparesReady, @Nullable String sparesGaveUpReason, PoolStatus.@Nullable Queries queries) {
	}

	/**
	 * The worker holding the current leadership epoch.
	 *
	 * @param id its slot id
	 * @param pid its pid
	 * @param epoch the epoch it holds
	 * @param revoking whether it has been asked to give leadership up and has not yet
	 * acknowledged
	 */
	public record LeaderDescriptor(int id, long pid, long epoch, boolean revoking) {
	}

	/**
	 * What the master relayed since it started.
	 *
	 * @param epoch the latest leadership epoch granted, 0 before the first
	 * @param relayed application messages handed to a destination, and asks answered
	 * @param dropped application messages the master did not deliver, every reason
	 * together
	 * @param asks asks relayed
	 * @param gathers gathers relayed
	 * @param droppedByReason the same by reason: {@code queue-full}, {@code oversize},
	 * {@code no-worker}, {@code from-spare}, {@code channel-closed}, {@code left-unsent}
	 */
	@JsonInclude(JsonInclude.Include.ALWAYS)
	public record MessagesDescriptor(long epoch, long relayed, long dropped, long asks, long gathers,
			Map<String, Long> droppedByReason) {
	}

	/**
	 * The master's boot cache.
	 *
	 * @param state {@code off}, {@code training}, {@code ready} or {@code failed}
	 * @param kind {@code aot} (JDK 25+) or {@code cds}, {@code null} when off
	 * @param path the cache directory for the current jar
	 * @param reason why it is off or failed, or what the training does now
	 */
	@JsonInclude(JsonInclude.Include.ALWAYS)
	public record BootCacheDescriptor(String state, @Nullable String kind, @Nullable String path,
			@Nullable String reason) {

		static @Nullable BootCacheDescriptor of(PoolStatus.@Nullable BootCache cache) {
			return (cache != null) ? new BootCacheDescriptor(cache.state(), cache.kind(), cache.path(), cache.reason())
					: null;
		}

	}

	/**
	 * The answer to a write operation.
	 *
	 * @param answeredBy the worker that served the request
	 * @param accepted whether the master took the command; it then runs in the background
	 * @param refusal why not: {@code invalid}, {@code not-found} or {@code conflict}
	 * @param message what the master does, or why it refused
	 */
	public record CommandDescriptor(AnsweredBy answeredBy, boolean accepted, @Nullable String refusal,
			String message) implements OperationResponseBody {
	}

	/**
	 * One worker slot and the worker in it.
	 *
	 * @param id the worker id
	 * @param pid the worker's pid, {@code null} while the slot is empty
	 * @param state {@code starting}, {@code ready}, {@code retiring}, {@code draining};
	 * for an empty slot {@code exited}, {@code backoff} or {@code given-up}
	 * @param startedAt when the worker was spawned
	 * @param readyAt when it reported ready
	 * @param uptimeMillis time since it was spawned
	 * @param bootMillis time from spawn to ready
	 * @param restarts how many times this slot's worker was replaced
	 * @param restartsByReason the same by reason ({@code crash}, {@code boot-failure},
	 * ...)
	 * @param lastExit how the slot's previous worker ended
	 * @param heartbeatAgeMillis time since the master last heard from the worker
	 * @param heapUsed heap bytes in use, from its last heartbeat
	 * @param heapMax maximum heap bytes, from its last heartbeat
	 * @param rss resident set size in bytes, from its last heartbeat
	 * @param requestsServed requests served, from its last heartbeat
	 * @param requestsInFlight requests in flight, long-lived connections apart, from its
	 * last heartbeat
	 * @param longLivedConnections WebSockets and event streams open, from its last
	 * heartbeat
	 * @param connections application connections open, from its last heartbeat;
	 * {@code null} when not counted ({@code jproc.balance.enabled=false})
	 * @param restartAt when a slot in backoff restarts
	 * @param gaveUpReason why a given-up slot was given up
	 * @param incoming the worker booting to replace this one, {@code null} if none
	 * @param leavingPids pids of the slot's earlier workers still draining
	 * @param bootCacheUsed whether the worker's JVM mapped the boot cache's class
	 * archive, {@code null} until it is ready
	 */
	@JsonInclude(JsonInclude.Include.ALWAYS)
	public record WorkerDescriptor(int id, @Nullable Long pid, SlotState state, @Nullable Instant startedAt,
			@Nullable Instant readyAt, @Nullable Long uptimeMillis, @Nullable Long bootMillis, int restarts,
			Map<String, Integer> restartsByReason, @Nullable LastExitDescriptor lastExit,
			@Nullable Long heartbeatAgeMillis, @Nullable Long heapUsed, @Nullable Long heapMax, @Nullable Long rss,
			@Nullable Long requestsServed, @Nullable Long requestsInFlight, @Nullable Long longLivedConnections,
			@Nullable Long connections, @Nullable Instant restartAt, @Nullable String gaveUpReason,
			@Nullable IncomingDescriptor incoming, List<Long> leavingPids,
			@Nullable Boolean bootCacheUsed) implements OperationResponseBody {

		static WorkerDescriptor of(PoolStatus.Slot slot, Instant takenAt) {
			Message.Heartbeat figures = slot.figures();
			PoolStatus.LastExit exit = slot.lastExit();
			return new WorkerDescriptor(slot.id(), slot.pid(), slot.state(), slot.startedAt(), slot.readyAt(),
					millis(slot.startedAt(), takenAt),
					(slot.readyAt() != null) ? millis(slot.startedAt(), slot.readyAt()) : null, slot.restarts(),
					slot.restartsByReason(),
					(exit != null) ? new LastExitDescriptor((exit.signal() != null) ? null : exit.code(), exit.signal(),
							exit.reason(), exit.at()) : null,
					millis(slot.lastHeartbeat(), takenAt), (figures != null) ? figures.heapUsed() : null,
					(figures != null) ? figures.heapMax() : null,
					(figures != null && figures.rss() >= 0) ? figures.rss() : null,
					(figures != null) ? figures.requestsServed() : null,
					(figures != null) ? figures.requestsInFlight() : null,
					(figures != null) ? figures.longLived() : null,
					(figures != null && figures.connections() >= 0) ? figures.connections() : null, slot.restartAt(),
					slot.gaveUpReason(),
					(slot.incoming() != null) ? new IncomingDescriptor(slot.incoming().pid(), slot.incoming().reason(),
							slot.incoming().startedAt()) : null,
					(slot.leaving() != null) ? slot.leaving() : List.of(), slot.bootCacheUsed());
		}

	}

	/**
	 * A worker booting to take a slot over from its serving worker.
	 *
	 * @param pid its pid
	 * @param reason why it comes, such as {@code reload}, {@code planned} or
	 * {@code crash}
	 * @param startedAt when it was spawned
	 */
	public record IncomingDescriptor(long pid, String reason, Instant startedAt) {
	}

	/**
	 * A spare worker: booted or booting, in no slot, taking no connection until a slot
	 * takes it.
	 *
	 * @param pid its process id
	 * @param number its spawn number, which names it ({@code spare #7})
	 * @param state {@code starting}, {@code ready} or {@code draining}
	 * @param startedAt when it was spawned
	 * @param readyAt when it reported ready
	 * @param bootMillis from spawn to ready
	 * @param bootCacheUsed whether its JVM mapped the boot cache's archive
	 * @param heartbeatAgeMillis time since the master last heard from it
	 */
	@JsonInclude(JsonInclude.Include.ALWAYS)
	public record SpareDescriptor(long pid, long number, String state, Instant startedAt, @Nullable Instant readyAt,
			@Nullable Long bootMillis, @Nullable Boolean bootCacheUsed, @Nullable Long heartbeatAgeMillis) {

		static SpareDescriptor of(PoolStatus.Spare spare, Instant takenAt) {
			return new SpareDescriptor(spare.pid(), spare.number(), spare.state(), spare.startedAt(), spare.readyAt(),
					(spare.readyAt() != null) ? millis(spare.startedAt(), spare.readyAt()) : null,
					spare.bootCacheUsed(), millis(spare.lastHeartbeat(), takenAt));
		}

	}

	/**
	 * How a slot's previous worker ended.
	 *
	 * @param code its exit code, {@code null} when a signal ended it
	 * @param signal the signal's name such as {@code KILL}, {@code null} for an exit
	 * @param reason why, as the master logged it
	 * @param at when the master saw it
	 */
	@JsonInclude(JsonInclude.Include.ALWAYS)
	public record LastExitDescriptor(@Nullable Integer code, @Nullable String signal, String reason, Instant at) {
	}

	/**
	 * The body of an error answer: the master did not answer, answered badly, or the
	 * worker id is unknown.
	 *
	 * @param answeredBy the worker that served the request
	 * @param error what went wrong
	 */
	@JsonInclude(JsonInclude.Include.ALWAYS)
	public record ErrorDescriptor(AnsweredBy answeredBy, String error) implements OperationResponseBody {
	}

}
