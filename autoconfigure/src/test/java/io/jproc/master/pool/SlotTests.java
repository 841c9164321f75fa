package io.jproc.master.pool;

import java.time.Duration;
import java.time.Instant;

import io.jproc.JprocProperties;
import io.jproc.master.process.WorkerHandle;
import io.jproc.testsupport.RecordingChannel;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the restart policy of {@link Slot}.
 */
class SlotTests {

	private final JprocProperties.Restart policy = new JprocProperties().getRestart();

	private final Instant start = Instant.parse("2026-01-01T00:00:00Z");

	private final RecordingChannel channel = new RecordingChannel();

	@Test
	void firstFailureOfALongLivedWorkerIsReplacedAtOnce() {
		Slot slot = new Slot(1, this.policy);
		WorkerHandle worker = worker(this.start);
		assertThat(slot.onFailure(worker, false, this.start.plus(Duration.ofHours(1)))).isZero();
		assertThat(slot.gaveUp()).isFalse();
		assertThat(slot.respawnAt()).isNull();
	}

	@Test
	void quickFailuresBackOffByOneAndAHalfUpToTheMaximum() {
		this.policy.setMaxRestarts(100);
		Slot slot = new Slot(1, this.policy);
		Instant now = this.start;
		Duration[] delays = new Duration[12];
		for (int i = 0; i < delays.length; i++) {
			delays[i] = slot.onFailure(worker(now), false, now.plusSeconds(1));
			now = now.plusSeconds(2);
		}
		assertThat(delays[0]).isZero();
		assertThat(delays[1]).isEqualTo(Duration.ofMillis(500));
		assertThat(delays[2]).isEqualTo(Duration.ofMillis(750));
		assertThat(delays[3]).isEqualTo(Duration.ofMillis(1125));
		assertThat(delays[11]).isEqualTo(Duration.ofSeconds(15));
	}

	@Test
	void slowFailureResetsTheBackoff() {
		Slot slot = new Slot(1, this.policy);
		slot.onFailure(worker(this.start), false, this.start.plusSeconds(1));
		assertThat(slot.onFailure(worker(this.start), false, this.start.plusSeconds(2))).isPositive();
		Instant later = this.start.plusSeconds(10);
		assertThat(slot.onFailure(worker(later), false, later.plusSeconds(60))).isZero();
	}

	@Test
	void bootFailuresInARowGiveTheSlotUp() {
		this.policy.setMaxBootFailures(3);
		Slot slot = new Slot(1, this.policy);
		assertThat(slot.onFailure(worker(this.start), true, this.start.plusSeconds(4))).isNotNull();
		assertThat(slot.onFailure(worker(this.start), true, this.start.plusSeconds(8))).isNotNull();
		assertThat(slot.onFailure(worker(this.start), true, this.start.plusSeconds(12))).isNull();
		assertThat(slot.gaveUp()).isTrue();
		assertThat(slot.gaveUpReason()).isEqualTo("3 boot failures in a row");
	}

	@Test
	void readyWorkerEndsARunOfBootFailures() {
		this.policy.setMaxBootFailures(2);
		Slot slot = new Slot(1, this.policy);
		slot.onFailure(worker(this.start), true, this.start.plusSeconds(4));
		slot.want(Replacement.BOOT_FAILURE);
		slot.spawned(worker(this.start.plusSeconds(4)));
		slot.promote();
		assertThat(slot.onFailure(worker(this.start), true, this.start.plusSeconds(8))).isNotNull();
		assertThat(slot.gaveUp()).isFalse();
	}

	@Test
	void tooManyFailuresWithinTheWindowGiveTheSlotUp() {
		this.policy.setMaxRestarts(3);
		this.policy.setWindow(Duration.ofMinutes(1));
		Slot slot = new Slot(1, this.policy);
		Instant now = this.start;
		for (int i = 0; i < 3; i++) {
			now = now.plusSeconds(12);
			assertThat(slot.onFailure(worker(now.minusSeconds(11)), false, now)).isNotNull();
		}
		assertThat(slot.onFailure(worker(now), false, now.plusSeconds(12))).isNull();
		assertThat(slot.gaveUpReason()).contains("4 failures within 60 s");
	}

	@Test
	void failuresOutsideTheWindowAreForgotten() {
		this.policy.setMaxRestarts(2);
		this.policy.setWindow(Duration.ofMinutes(1));
		Slot slot = new Slot(1, this.policy);
		Instant now = this.start;
		for (int i = 0; i < 10; i++) {
			now = now.plusSeconds(40);
			assertThat(slot.onFailure(worker(now.minusSeconds(30)), false, now)).as("failure " + i).isNotNull();
		}
		assertThat(slot.gaveUp()).isFalse();
	}

	@Test
	void plannedReplacementCountsAsRestartButNotAsFailure() {
		this.policy.setMaxRestarts(1);
		Slot slot = new Slot(1, this.policy);
		for (int i = 0; i < 5; i++) {
			slot.want(Replacement.PLANNED);
			slot.spawned(worker(this.start));
			slot.promote();
		}
		assertThat(slot.restarts()).isEqualTo(5);
		assertThat(slot.restartsByReason()).containsEntry("planned", 5);
		assertThat(slot.leaving()).hasSize(4);
		assertThat(slot.onFailure(worker(this.start), false, this.start.plusSeconds(60))).isNotNull();
	}

	@Test
	void oneIncomingWorkerServesEveryRequestForIt() {
		Slot slot = new Slot(1, this.policy);
		slot.want(Replacement.START);
		WorkerHandle first = worker(this.start);
		slot.spawned(first);
		assertThat(slot.needsSpawn(this.start)).isFalse();
		slot.want(Replacement.RELOAD);
		slot.want(Replacement.CRASH);
		assertThat(slot.needsSpawn(this.start)).isFalse();
		assertThat(slot.promote()).isNull();
		assertThat(slot.current()).isSameAs(first);
		assertThat(slot.wanted()).isNull();
	}

	@Test
	void failureOutranksAPlanAndAWithdrawnPlanLeavesTheFailure() {
		Slot slot = new Slot(1, this.policy);
		slot.want(Replacement.RELOAD);
		slot.want(Replacement.CRASH);
		assertThat(slot.wanted()).isEqualTo(Replacement.CRASH);
		slot.unwant(Replacement.RELOAD);
		assertThat(slot.wanted()).isEqualTo(Replacement.CRASH);
		slot.want(Replacement.PLANNED);
		assertThat(slot.wanted()).isEqualTo(Replacement.CRASH);
	}

	@Test
	void secondIncomingWorkerIsABug() {
		Slot slot = new Slot(1, this.policy);
		slot.spawned(worker(this.start));
		org.assertj.core.api.Assertions.assertThatIllegalStateException()
			.isThrownBy(() -> slot.spawned(worker(this.start)));
	}

	@Test
	void removedSlotWantsNothing() {
		Slot slot = new Slot(1, this.policy);
		slot.want(Replacement.START);
		slot.remove();
		assertThat(slot.needsSpawn(this.start)).isFalse();
	}

	private WorkerHandle worker(Instant spawnedAt) {
		return new WorkerHandle(1, 1000, 1, spawnedAt, this.channel);
	}

}
