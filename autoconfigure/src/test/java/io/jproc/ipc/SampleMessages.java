package io.jproc.ipc;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.jproc.PoolState;
import io.jproc.SlotState;

import org.springframework.boot.logging.LogLevel;

/**
 * A realistic instance of every message type, with every nested record and both null and
 * non-null optionals, for the codec tests and {@link CodecOnlyMain}.
 */
final class SampleMessages {

	private static final Instant NOW = Instant.parse("2026-12-05T18:04:05.678901Z");

	private SampleMessages() {
	}

	static List<Message> all() {
		PoolStatus full = fullStatus();
		PoolStatus sparse = new PoolStatus(NOW,
				new PoolStatus.Master(100, PoolState.GIVING_UP, NOW.minusSeconds(600), List.of(), 1, null),
				List.of(emptySlot()));
		return List.of(new Message.Ready(101, 2345, true), new Message.Ready(102, 1999),
				new Message.Stop("reload (SIGHUP)"), new Message.CloseListeners(), new Message.TakeSlot(2),
				new Message.Heartbeat(48_000_000, 512_000_000, 190_000_000, 123_456, 3, 1, 17),
				new Message.Heartbeat(1, 2, -1, 0, 0, 0, -1), new Message.Retire("heap above 90% after 3 GCs", true),
				new Message.Retire("max-requests reached", false), new Message.ReplacementReady(202),
				new Message.ReplacementReady(-1), new Message.PoolStatusRequest(), full, sparse,
				new Message.PoolScrapeRequest("prometheus", List.of("up", "jvm_memory_used_bytes")),
				new Message.PoolScrapeRequest("openmetrics", null),
				new Message.PoolScrape(full,
						List.of(new Message.PoolScrape.WorkerScrape(2, 202, "# TYPE up gauge\nup{a=\"b\\\\\"} 1\n",
								null),
								new Message.PoolScrape.WorkerScrape(3, 203, null, "did not answer within 2000 ms"))),
				new Message.ScrapeRequest("openmetrics", null), new Message.ScrapeRequest("prometheus", List.of()),
				new Message.Scrape("# HELP up 1 when up\n# TYPE up gauge\nup 1\n"), new Message.Drained(2),
				new Message.Failure("no listener for 'caf\u00e9 \u2713' \t\"quoted\" \\ \u0001 \ud83d\ude00"),
				new Message.Command(Message.Command.Action.SCALE, 4, null),
				new Message.Command(Message.Command.Action.RESTART, null, 2),
				new Message.CommandResult(false, Message.CommandResult.Refusal.NOT_FOUND, "no worker 9"),
				new Message.CommandResult(true, null, "reloading 2 workers"),
				new Message.AppMessage("orders", "{\"id\":7,\"items\":[1,2]}", 1, Message.AppMessage.EVERY_OTHER_WORKER,
						"com.example.OrderPlaced", 0),
				new Message.AppMessage("jproc.ping", "null", 0, 2, null, 5000), new Message.AppReply("\"ok\"", 101),
				new Message.GatherRequest("cache-stats", "{}", 2000),
				new Message.Gathered(List.of(
						new Message.Gathered.Outcome(1, 101, Message.Gathered.Status.ANSWERED, "{\"hits\":3}", null),
						new Message.Gathered.Outcome(2, 102, Message.Gathered.Status.LATE, null, "no answer in 2 s"),
						new Message.Gathered.Outcome(3, -1, Message.Gathered.Status.LEFT_OUT, null, null))),
				new Message.Members(List.of(1, 2, 3)), new Message.Members(List.of()), new Message.Grant(4),
				new Message.Revoke(4), new Message.RevokeAck(4), new Message.Yield(Long.MAX_VALUE),
				new Message.LogLevelChange("com.example", LogLevel.DEBUG), new Message.LogLevelChange("root", null));
	}

	static PoolStatus fullStatus() {
		PoolStatus.Master master = new PoolStatus.Master(100, PoolState.RUNNING, NOW.minusSeconds(3600),
				List.of("127.0.0.1:8080 (server)", "127.0.0.1:8081 (management)"), 2,
				new PoolStatus.Operation(Message.Command.Action.RELOAD, "SIGHUP", PoolStatus.Operation.State.RUNNING, 1,
						2, NOW.minusSeconds(5), null, "reload running: 1 of 2 replaced"),
				List.of(new PoolStatus.Listener("server", "127.0.0.1:8080", "bound"),
						new PoolStatus.Listener("management", "127.0.0.1:8081", "systemd")),
				List.of("the jar was overwritten in place"),
				new PoolStatus.BootCache("ready", "aot", "/tmp/jproc/app-0123", null), 1, null);
		PoolStatus.Slot ready = new PoolStatus.Slot(1, 101L, SlotState.READY, NOW.minusSeconds(50),
				NOW.minusSeconds(46), 2, Map.of("crash", 1, "boot-failure", 1),
				new PoolStatus.LastExit(137, "KILL", "hung: no heartbeat for 30 s", NOW.minusSeconds(51)),
				NOW.minusSeconds(2), new Message.Heartbeat(10, 20, 30, 40, 1, 0, -1), null, null,
				new PoolStatus.Incoming(204, "reload", NOW.minusSeconds(3)), List.of(99L, 98L), true);
		PoolStatus.Messaging messaging = new PoolStatus.Messaging(new PoolStatus.Leader(1, 101, 3, false), 3, 1200, 4,
				17, 2, Map.of("queue-full", 3L, "no-worker", 1L));
		List<PoolStatus.Spare> spares = List.of(
				new PoolStatus.Spare(103, 7, "ready", NOW.minusSeconds(20), NOW.minusSeconds(15), false,
						NOW.minusSeconds(1)),
				new PoolStatus.Spare(104, 8, "starting", NOW.minusSeconds(2), null, null, null));
		return new PoolStatus(NOW, master, List.of(ready, emptySlot()), messaging, spares,
				new PoolStatus.Queries(42, 7));
	}

	private static PoolStatus.Slot emptySlot() {
		return new PoolStatus.Slot(2, null, SlotState.GIVEN_UP, null, null, 5, Map.of("boot-failure", 5), null, null,
				null, null, "5 boot failures in a row", null, List.of(), null);
	}

}
