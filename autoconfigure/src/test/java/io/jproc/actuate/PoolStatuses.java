package io.jproc.actuate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.jproc.PoolState;
import io.jproc.SlotState;
import io.jproc.ipc.Message;
import io.jproc.ipc.PoolStatus;
import io.jproc.ipc.WireEnum;
import io.jproc.worker.MasterLink;
import io.jproc.worker.PoolStatusClient;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

/**
 * Pool statuses and a {@link PoolStatusClient} whose master answers what a test says,
 * without any real channel.
 */
public final class PoolStatuses {

	public static final Instant NOW = Instant.parse("2025-01-02T03:04:05Z");

	private PoolStatuses() {
	}

	/**
	 * A client whose master answers every request with the given reply.
	 * @param reply the master's answer
	 * @return the client, for worker 1
	 */
	public static PoolStatusClient clientAnswering(CompletableFuture<Message> reply) {
		MasterLink link = mock(MasterLink.class);
		given(link.request(any())).willReturn(reply);
		return new PoolStatusClient(link, 1, Duration.ofSeconds(5));
	}

	public static PoolStatusClient clientAnswering(Message reply) {
		return clientAnswering(CompletableFuture.completedFuture(reply));
	}

	/**
	 * A pool with the given slot states.
	 * @param masterState the master's state
	 * @param states one state per slot
	 * @return the status
	 */
	public static PoolStatus pool(String masterState, String... states) {
		List<PoolStatus.Slot> slots = new ArrayList<>();
		for (int i = 0; i < states.length; i++) {
			int id = i + 1;
			boolean running = !List.of("exited", "backoff", "given-up").contains(states[i]);
			slots.add(new PoolStatus.Slot(id, running ? 100L + id : null, WireEnum.parse(SlotState.class, states[i]),
					running ? NOW.minusSeconds(30) : null, running ? NOW.minusSeconds(26) : null, running ? 0 : 1,
					running ? Map.of() : Map.of("crash", 1),
					running ? null : new PoolStatus.LastExit(-1, "KILL", "exited unexpectedly", NOW.minusSeconds(1)),
					running ? NOW.minusSeconds(2) : null,
					running ? new Message.Heartbeat(50_000_000, 256_000_000, 200_000_000, 42, 1, 0, -1) : null, null,
					"given-up".equals(states[i]) ? "3 boot failures in a row" : null));
		}
		return new PoolStatus(NOW,
				new PoolStatus.Master(99, WireEnum.parse(PoolState.class, masterState), NOW.minusSeconds(40),
						List.of("127.0.0.1:8080 (server)"), states.length, null, List.of(), List.of(),
						new PoolStatus.BootCache("ready", "cds", "/tmp/jproc/app-0123", null), 1, null),
				slots, null, List.of(new PoolStatus.Spare(1234, 7, "ready", NOW.minusSeconds(30), NOW.minusSeconds(26),
						true, NOW.minusSeconds(1))));
	}

}
