package io.jproc.ipc;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.logging.LogLevel;

/**
 * Every message master and workers exchange. Each record is one message type; its wire
 * name is the record's simple name in kebab case ({@code Ready} is {@code "ready"}).
 * <p>
 * Add a type by adding a record here (or, for a large one such as {@link PoolStatus}, in
 * a file of its own) and naming it in {@code permits}: that list is the codec's table,
 * read by {@link MessageTypes}. A state, action, reason or outcome in a record is a
 * {@link WireEnum}, never a string; a value the receiver does not know makes the frame
 * malformed.
 * <p>
 * Internal: public for jproc's own packages, not API.
 */
public sealed interface Message
		permits Message.Ready, Message.Stop, Message.CloseListeners, Message.TakeSlot, Message.Heartbeat,
		Message.Retire, Message.ReplacementReady, Message.PoolStatusRequest, PoolStatus, Message.PoolScrapeRequest,
		Message.PoolScrape, Message.ScrapeRequest, Message.Scrape, Message.Drained, Message.Failure, Message.Command,
		Message.CommandResult, Message.AppMessage, Message.AppReply, Message.GatherRequest, Message.Gathered,
		Message.Members, Message.Grant, Message.Revoke, Message.RevokeAck, Message.Yield, Message.LogLevelChange {

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
	 * @param requestsInFlight requests being served now, long-lived ones apart
	 * @param longLived long-lived connections open now (WebSockets, event streams)
	 * @param connections application connections open now, {@code -1} if not counted
	 * ({@code jproc.balance.enabled})
	 */
	record Heartbeat(long heapUsed, long heapMax, long rss, long requestsServed, long requestsInFlight, long longLived,
			long connections) implements Message {
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
	 * @param action what to do
	 * @param workers the wanted number of workers, for {@link Action#SCALE}
	 * @param id the worker to restart, for {@link Action#RESTART}
	 */
	record Command(Action action, @Nullable Integer workers, @Nullable Integer id) implements Message {

		/**
		 * The operations a pool takes.
		 */
		public enum Action implements WireEnum {

			/** Replace every worker. */
			RELOAD,

			/** Change the number of workers. */
			SCALE,

			/** Replace one worker. */
			RESTART

		}

	}

	/**
	 * Master to worker: what became of a {@link Command}.
	 *
	 * @param accepted whether the master took it (it then runs in the background)
	 * @param refusal why not, {@code null} when accepted
	 * @param message what the master does, or why it refused, in words
	 */
	record CommandResult(boolean accepted, @Nullable Refusal refusal, String message) implements Message {

		/**
		 * Why the pool refuses a command.
		 */
		public enum Refusal implements WireEnum {

			/** The command makes no sense: unknown action, bad number. */
			INVALID,

			/** No such worker. */
			NOT_FOUND,

			/** Not now: another operation runs, or the master is shutting down. */
			CONFLICT

		}

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
		 * @param status what happened
		 * @param payload the answer as JSON text when answered
		 * @param error what went wrong otherwise
		 */
		public record Outcome(int worker, long pid, Status status, @Nullable String payload, @Nullable String error) {
		}

		/**
		 * What happened to one worker's part; the application sees it as
		 * {@code GatherOutcome.Status}.
		 */
		public enum Status implements WireEnum {

			/** It answered in time. */
			ANSWERED,

			/** It did not answer within the timeout. */
			LATE,

			/** It refused, failed, had no listener, or left before answering. */
			FAILED,

			/** Its slot had no worker taking traffic: nobody was asked. */
			LEFT_OUT

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

	/**
	 * A log level set pool-wide through {@code POST /actuator/loggers/{name}}. Worker to
	 * master: the level was set here; set it in every other serving worker, and in every
	 * worker that starts serving later. Master to worker: set it here.
	 *
	 * @param name the logger or group
	 * @param level the level, {@code null} to reset it
	 */
	record LogLevelChange(String name, @Nullable LogLevel level) implements Message {
	}

}
