package io.jproc.master.relay;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link Leadership}: every interleaving keeps at most one leader and a growing
 * epoch.
 */
class LeadershipTests {

	private final List<String> actions = new ArrayList<>();

	private final Leadership leadership = new Leadership(new Leadership.Actions() {

		@Override
		public void grant(long pid, long epoch) {
			LeadershipTests.this.actions.add("grant " + pid + " e" + epoch);
		}

		@Override
		public void revoke(long pid, long epoch) {
			LeadershipTests.this.actions.add("revoke " + pid + " e" + epoch);
		}

	});

	@Test
	void firstReadyWorkerLeadsWithEpochOne() {
		this.leadership.ready(2, 200);
		this.leadership.ready(1, 100);
		assertThat(this.actions).containsExactly("grant 200 e1");
		assertThat(this.leadership.holder()).isEqualTo(200L);
		assertThat(this.leadership.holderSlot()).isEqualTo(2);
	}

	@Test
	void noWorkerReadyMeansNoLeader() {
		this.leadership.leaving(100);
		this.leadership.reaped(100);
		assertThat(this.actions).isEmpty();
		assertThat(this.leadership.holder()).isNull();
		assertThat(this.leadership.epoch()).isZero();
	}

	@Test
	void leaderKilledIsReplacedOnlyOnceReaped() {
		this.leadership.ready(1, 100);
		this.leadership.ready(2, 200);
		// the heartbeat timeout marks it leaving: revoke, but no grant while it may act
		this.leadership.leaving(100);
		assertThat(this.actions).containsExactly("grant 100 e1", "revoke 100 e1");
		assertThat(this.leadership.holder()).isEqualTo(100L);
		this.leadership.reaped(100);
		assertThat(this.actions).containsExactly("grant 100 e1", "revoke 100 e1", "grant 200 e2");
	}

	@Test
	void leaderCrashWithoutLeavingIsReplacedWhenReaped() {
		this.leadership.ready(1, 100);
		this.leadership.ready(2, 200);
		this.leadership.reaped(100);
		assertThat(this.actions).containsExactly("grant 100 e1", "grant 200 e2");
	}

	@Test
	void retiringLeaderHandsOverWhenItAcknowledges() {
		this.leadership.ready(1, 100);
		this.leadership.ready(2, 200);
		this.leadership.leaving(100);
		this.leadership.revokeAcked(100, 1);
		assertThat(this.actions).containsExactly("grant 100 e1", "revoke 100 e1", "grant 200 e2");
		// its later exit changes nothing
		this.leadership.reaped(100);
		assertThat(this.actions).hasSize(3);
		assertThat(this.leadership.holder()).isEqualTo(200L);
	}

	@Test
	void lostAcknowledgementWaitsForTheReap() {
		this.leadership.ready(1, 100);
		this.leadership.ready(2, 200);
		this.leadership.leaving(100);
		this.leadership.ready(3, 300);
		assertThat(this.actions).containsExactly("grant 100 e1", "revoke 100 e1");
		this.leadership.reaped(100);
		assertThat(this.actions).containsExactly("grant 100 e1", "revoke 100 e1", "grant 200 e2");
	}

	@Test
	void staleAcknowledgementIsIgnored() {
		this.leadership.ready(1, 100);
		this.leadership.revokeAcked(100, 1);
		assertThat(this.leadership.holder()).isEqualTo(100L);
		this.leadership.leaving(100);
		this.leadership.revokeAcked(100, 0);
		this.leadership.revokeAcked(999, 1);
		assertThat(this.leadership.holder()).isEqualTo(100L);
		assertThat(this.leadership.isRevoking()).isTrue();
	}

	@Test
	void newWorkerReadyWhileNoneLeadsIsGranted() {
		this.leadership.ready(1, 100);
		this.leadership.reaped(100);
		assertThat(this.leadership.holder()).isNull();
		this.leadership.ready(1, 101);
		assertThat(this.actions).containsExactly("grant 100 e1", "grant 101 e2");
	}

	@Test
	void newWorkerReadyWhileRevokingWaits() {
		this.leadership.ready(1, 100);
		this.leadership.leaving(100);
		this.leadership.ready(1, 101);
		assertThat(this.actions).containsExactly("grant 100 e1", "revoke 100 e1");
		this.leadership.revokeAcked(100, 1);
		assertThat(this.actions).containsExactly("grant 100 e1", "revoke 100 e1", "grant 101 e2");
	}

	@Test
	void leadershipIsSticky() {
		this.leadership.ready(2, 200);
		this.leadership.ready(1, 100);
		this.leadership.reaped(300);
		assertThat(this.leadership.holder()).isEqualTo(200L);
		assertThat(this.actions).containsExactly("grant 200 e1");
	}

	@Test
	void yieldGoesToAnotherWorkerWhenThereIsOne() {
		this.leadership.ready(1, 100);
		this.leadership.ready(2, 200);
		this.leadership.yield(100, 1);
		this.leadership.revokeAcked(100, 1);
		assertThat(this.actions).containsExactly("grant 100 e1", "revoke 100 e1", "grant 200 e2");
	}

	@Test
	void yieldComesBackWhenAlone() {
		this.leadership.ready(1, 100);
		this.leadership.yield(100, 1);
		this.leadership.revokeAcked(100, 1);
		assertThat(this.actions).containsExactly("grant 100 e1", "revoke 100 e1", "grant 100 e2");
	}

	@Test
	void yieldOfAnOldEpochIsIgnored() {
		this.leadership.ready(1, 100);
		this.leadership.yield(100, 7);
		assertThat(this.actions).containsExactly("grant 100 e1");
	}

	@Test
	void stoppedGrantsNothing() {
		this.leadership.ready(1, 100);
		this.leadership.ready(2, 200);
		this.leadership.stop();
		this.leadership.leaving(100);
		this.leadership.revokeAcked(100, 1);
		assertThat(this.actions).containsExactly("grant 100 e1", "revoke 100 e1");
		assertThat(this.leadership.holder()).isNull();
	}

	@Test
	void epochOnlyGrowsThroughManyChanges() {
		long last = 0;
		for (int round = 0; round < 50; round++) {
			this.leadership.ready(1, 1000 + round);
			this.leadership.leaving(1000 + round);
			if (round % 2 == 0) {
				this.leadership.revokeAcked(1000 + round, this.leadership.epoch());
			}
			else {
				this.leadership.reaped(1000 + round);
			}
			assertThat(this.leadership.epoch()).isGreaterThan(last);
			last = this.leadership.epoch();
		}
		assertThat(last).isEqualTo(50);
	}

}
