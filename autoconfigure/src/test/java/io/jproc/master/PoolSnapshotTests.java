package io.jproc.master;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.jproc.JprocProperties;
import io.jproc.PoolState;
import io.jproc.SlotState;
import io.jproc.ipc.Message;
import io.jproc.ipc.PoolStatus;
import io.jproc.master.pool.MasterState;
import io.jproc.master.pool.Slot;
import io.jproc.master.pool.Spares;
import io.jproc.master.process.Exit;
import io.jproc.master.process.WorkerHandle;
import io.jproc.testsupport.RecordingChannel;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PoolSnapshot}.
 */
class PoolSnapshotTests {

	private static final Instant NOW = Instant.parse("2025-01-02T03:04:05Z");

	@Test
	void readyWorkerAndKilledWorkerInBackoff() {
		JprocProperties.Restart policy = new JprocProperties().getRestart();
		Slot one = new Slot(1, policy);
		WorkerHandle ready = worker(1, NOW.minusSeconds(30));
		ready.ready(NOW.minusSeconds(26));
		ready.heartbeat(NOW.minusSeconds(1), new Message.Heartbeat(1, 2, 3, 4, 5, 0, -1));
		one.spawned(ready);
		one.promote();
		Slot two = new Slot(2, policy);
		WorkerHandle killed = worker(2, NOW.minusSeconds(30));
		killed.exited(new Exit(-1, 9));
		two.recordExit(new Exit(-1, 9), "exited unexpectedly", NOW.minusSeconds(2));
		two.onFailure(killed, false, NOW.minusSeconds(2));
		two.respawnAt(NOW.plusSeconds(1));
		PoolStatus status = PoolSnapshot.take(NOW, PoolSnapshot.masterState(MasterState.RUNNING, List.of(one, two)),
				NOW.minusSeconds(40), List.of(), List.of(one, two), null, List.of(),
				new PoolStatus.BootCache("off", null, null, "jproc.boot-cache.enabled=false"),
				new Spares(0, new JprocProperties().getRestart()));
		assertThat(status.master().bootCache().state()).isEqualTo("off");
		assertThat(status.master().state()).isEqualTo(PoolState.RUNNING);
		assertThat(status.master().workersWanted()).isEqualTo(2);
		PoolStatus.Slot first = status.slots().get(0);
		assertThat(first.pid()).isEqualTo(1001L);
		assertThat(first.state()).isEqualTo(SlotState.READY);
		assertThat(first.isServing()).isTrue();
		assertThat(first.figures()).isEqualTo(new Message.Heartbeat(1, 2, 3, 4, 5, 0, -1));
		assertThat(Duration.between(first.startedAt(), first.readyAt())).isEqualTo(Duration.ofSeconds(4));
		PoolStatus.Slot second = status.slots().get(1);
		assertThat(second.pid()).isNull();
		assertThat(second.state()).isEqualTo(SlotState.BACKOFF);
		assertThat(second.lastExit())
			.isEqualTo(new PoolStatus.LastExit(-1, "KILL", "exited unexpectedly", NOW.minusSeconds(2)));
		assertThat(second.figures()).isNull();
	}

	@Test
	void masterStateSaysGivingUpOnceASlotIsGivenUp() {
		JprocProperties properties = new JprocProperties();
		properties.getRestart().setMaxBootFailures(1);
		Slot slot = new Slot(1, properties.getRestart());
		assertThat(slot.onFailure(worker(1, NOW.minusSeconds(1)), true, NOW)).isNull();
		assertThat(PoolSnapshot.masterState(MasterState.RUNNING, List.of(slot))).isEqualTo(PoolState.GIVING_UP);
		assertThat(PoolSnapshot.masterState(MasterState.SHUTTING_DOWN, List.of(slot)))
			.isEqualTo(PoolState.SHUTTING_DOWN);
		PoolStatus status = PoolSnapshot.take(NOW, PoolState.GIVING_UP, NOW, List.of(), List.of(slot), null, List.of(),
				null, new Spares(0, new JprocProperties().getRestart()));
		assertThat(status.slots().get(0).state()).isEqualTo(SlotState.GIVEN_UP);
		assertThat(status.slots().get(0).gaveUpReason()).contains("boot failures");
	}

	private WorkerHandle worker(int id, Instant spawnedAt) {
		return new WorkerHandle(id, 1000 + id, id, spawnedAt, new RecordingChannel());
	}

}
