package io.jproc.master.relay;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.jproc.ipc.Message;
import io.jproc.ipc.PoolStatus;
import io.jproc.master.process.WorkerHandle;
import io.jproc.master.process.WorkerState;
import io.jproc.testsupport.FakeWorkers;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LeadershipKeeper}: what the workers are told as the pool changes and
 * as they acknowledge, with workers on the fake channel. The epoch rules themselves are
 * {@link LeadershipTests}'.
 */
class LeadershipKeeperTests {

	private final LeadershipKeeper keeper = new LeadershipKeeper(Duration.ofSeconds(5), Duration.ofSeconds(30));

	/** The time of each pass: a second after the fake workers were ready. */
	private Instant now = FakeWorkers.START.plusSeconds(2);

	private final WorkerHandle one = FakeWorkers.ready(1, 101);

	private final WorkerHandle two = FakeWorkers.ready(2, 102);

	@Test
	void observeWhenAWorkerIsReadyShouldGrantItTheFirstEpochOnce() {
		WorkerHandle booting = FakeWorkers.starting(2, 102);
		observe(this.one, booting);
		observe(this.one, booting);
		assertThat(FakeWorkers.channel(this.one).sent).containsExactly(new Message.Grant(1));
		assertThat(FakeWorkers.channel(booting).sent).isEmpty();
		assertThat(this.keeper.leader()).isEqualTo(new PoolStatus.Leader(1, 101, 1, false));
		assertThat(this.keeper.epoch()).isEqualTo(1);
	}

	@Test
	void observeWhenNoWorkerIsReadyShouldGrantNothing() {
		WorkerHandle booting = FakeWorkers.starting(1, 101);
		observe(booting);
		assertThat(FakeWorkers.channel(booting).sent).isEmpty();
		assertThat(this.keeper.leader()).isNull();
		assertThat(this.keeper.epoch()).isZero();
	}

	@Test
	void observeWhenTheLeaderIsLeavingShouldRevokeOnceAndGrantTheNextOnlyAfterItsAcknowledgement() {
		observe(this.one, this.two);
		this.one.leaving("reload");
		observe(this.one, this.two);
		observe(this.one, this.two);
		assertThat(FakeWorkers.channel(this.one).sent).containsExactly(new Message.Grant(1), new Message.Revoke(1));
		assertThat(FakeWorkers.channel(this.two).sent).as("no second leader while the first may still act").isEmpty();
		assertThat(this.keeper.leader().revoking()).isTrue();
		control(this.one, new Message.RevokeAck(1));
		assertThat(FakeWorkers.channel(this.two).sent).containsExactly(new Message.Grant(2));
		assertThat(this.keeper.leader()).isEqualTo(new PoolStatus.Leader(2, 102, 2, false));
	}

	@Test
	void observeWhenTheLeaderDrainsShouldRevokeIt() {
		observe(this.one);
		this.one.moveTo(WorkerState.DRAINING);
		observe(this.one);
		assertThat(FakeWorkers.channel(this.one).sent).containsExactly(new Message.Grant(1), new Message.Revoke(1));
	}

	@Test
	void observeWhenTheLeaderIsReapedShouldGrantTheNextWithoutWaiting() {
		observe(this.one, this.two);
		observe(this.two);
		assertThat(FakeWorkers.channel(this.two).sent).containsExactly(new Message.Grant(2));
	}

	@Test
	void acknowledgementOfAnOlderEpochShouldGrantNothing() {
		observe(this.one, this.two);
		this.one.leaving("reload");
		observe(this.one, this.two);
		control(this.one, new Message.RevokeAck(0));
		assertThat(FakeWorkers.channel(this.two).sent).isEmpty();
	}

	@Test
	void yieldShouldRevokeTheLeaderAndGrantAnotherWorkerOnceAcknowledged() {
		observe(this.one, this.two);
		control(this.one, new Message.Yield(1));
		assertThat(FakeWorkers.channel(this.one).sent).containsExactly(new Message.Grant(1), new Message.Revoke(1));
		control(this.one, new Message.RevokeAck(1));
		assertThat(FakeWorkers.channel(this.two).sent).containsExactly(new Message.Grant(2));
		assertThat(FakeWorkers.channel(this.one).sent).hasSize(2);
	}

	@Test
	void observeWhenThePoolStopsShouldGrantNoMore() {
		observe(this.one, this.two);
		this.keeper.observe(List.of(this.two), false, this.now);
		assertThat(FakeWorkers.channel(this.two).sent).isEmpty();
		assertThat(this.keeper.leader()).isNull();
	}

	@Test
	void observeWhenTheLeaderIsReapedShouldNotGrantAWorkerNotHeardFromLately() {
		observe(this.one, this.two);
		// Worker 2 is stopped (SIGSTOP): worker 1 goes on with its heartbeats.
		this.now = this.now.plusSeconds(11);
		this.one.heartbeat(this.now, HEARTBEAT);
		observe(this.one, this.two);
		observe(this.two);
		assertThat(FakeWorkers.channel(this.two).sent).as("a silent worker is not granted").isEmpty();
		assertThat(this.keeper.leader()).isNull();
		this.now = this.now.plusSeconds(1);
		this.two.heartbeat(this.now, HEARTBEAT);
		observe(this.two);
		assertThat(FakeWorkers.channel(this.two).sent).as("heard from again").containsExactly(new Message.Grant(2));
	}

	@Test
	void observeWhenTheLeaderIsReapedShouldNotGrantAWorkerThatDoesNotReadItsChannel() {
		observe(this.one, this.two);
		FakeWorkers.channel(this.two).stalled = Duration.ofSeconds(31);
		observe(this.one, this.two);
		observe(this.two);
		assertThat(FakeWorkers.channel(this.two).sent).isEmpty();
		FakeWorkers.channel(this.two).stalled = null;
		observe(this.two);
		assertThat(FakeWorkers.channel(this.two).sent).containsExactly(new Message.Grant(2));
	}

	@Test
	void observeShouldGrantTheWorkerHeardFromLatelyBeforeALowerSlotThatIsSilent() {
		this.now = this.now.plusSeconds(11);
		this.two.heartbeat(this.now, HEARTBEAT);
		observe(this.one, this.two);
		assertThat(FakeWorkers.channel(this.one).sent).isEmpty();
		assertThat(FakeWorkers.channel(this.two).sent).containsExactly(new Message.Grant(1));
	}

	@Test
	void observeWhenTheLeaderGoesSilentPastTheTimeoutShouldRevokeAndGrantTheNextOnceItIsReaped() {
		observe(this.one, this.two);
		this.now = this.now.plusSeconds(20);
		this.two.heartbeat(this.now, HEARTBEAT);
		observe(this.one, this.two);
		assertThat(FakeWorkers.channel(this.one).sent).as("within the timeout, the leader keeps it")
			.containsExactly(new Message.Grant(1));
		this.now = this.now.plusSeconds(11);
		this.two.heartbeat(this.now, HEARTBEAT);
		observe(this.one, this.two);
		assertThat(FakeWorkers.channel(this.one).sent).containsExactly(new Message.Grant(1), new Message.Revoke(1));
		assertThat(FakeWorkers.channel(this.two).sent).as("not while the silent leader may act").isEmpty();
		observe(this.two);
		assertThat(FakeWorkers.channel(this.two).sent).containsExactly(new Message.Grant(2));
	}

	private static final Message.Heartbeat HEARTBEAT = new Message.Heartbeat(1, 2, 3, 4, 0, 0, -1);

	private void observe(WorkerHandle... live) {
		this.keeper.observe(List.of(live), true, this.now);
	}

	private void control(WorkerHandle from, Message message) {
		if (message instanceof Message.RevokeAck ack) {
			this.keeper.onRevokeAck(from, ack);
		}
		else {
			this.keeper.onYield(from, (Message.Yield) message);
		}
	}

}
