package io.jproc.master.relay;

import java.util.List;

import io.jproc.ipc.Envelope;
import io.jproc.ipc.Message;
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

	private final LeadershipKeeper keeper = new LeadershipKeeper();

	private long seq;

	@Test
	void observeWhenAWorkerIsReadyShouldGrantItTheFirstEpochOnce() {
		WorkerHandle one = FakeWorkers.ready(1, 101);
		WorkerHandle booting = FakeWorkers.starting(2, 102);
		this.keeper.observe(List.of(one, booting), true);
		this.keeper.observe(List.of(one, booting), true);
		assertThat(FakeWorkers.channel(one).sent).containsExactly(new Message.Grant(1));
		assertThat(FakeWorkers.channel(booting).sent).isEmpty();
		assertThat(this.keeper.leader()).isEqualTo(new Message.PoolStatus.Leader(1, 101, 1, false));
		assertThat(this.keeper.epoch()).isEqualTo(1);
	}

	@Test
	void observeWhenNoWorkerIsReadyShouldGrantNothing() {
		WorkerHandle booting = FakeWorkers.starting(1, 101);
		this.keeper.observe(List.of(booting), true);
		assertThat(FakeWorkers.channel(booting).sent).isEmpty();
		assertThat(this.keeper.leader()).isNull();
		assertThat(this.keeper.epoch()).isZero();
	}

	@Test
	void observeWhenTheLeaderIsLeavingShouldRevokeOnceAndGrantTheNextOnlyAfterItsAcknowledgement() {
		WorkerHandle one = FakeWorkers.ready(1, 101);
		WorkerHandle two = FakeWorkers.ready(2, 102);
		this.keeper.observe(List.of(one, two), true);
		one.leaving("reload");
		this.keeper.observe(List.of(one, two), true);
		this.keeper.observe(List.of(one, two), true);
		assertThat(FakeWorkers.channel(one).sent).containsExactly(new Message.Grant(1), new Message.Revoke(1));
		assertThat(FakeWorkers.channel(two).sent).as("no second leader while the first may still act").isEmpty();
		assertThat(this.keeper.leader().revoking()).isTrue();
		assertThat(control(one, new Message.RevokeAck(1))).isTrue();
		assertThat(FakeWorkers.channel(two).sent).containsExactly(new Message.Grant(2));
		assertThat(this.keeper.leader()).isEqualTo(new Message.PoolStatus.Leader(2, 102, 2, false));
	}

	@Test
	void observeWhenTheLeaderDrainsShouldRevokeIt() {
		WorkerHandle one = FakeWorkers.ready(1, 101);
		this.keeper.observe(List.of(one), true);
		one.moveTo(WorkerState.DRAINING);
		this.keeper.observe(List.of(one), true);
		assertThat(FakeWorkers.channel(one).sent).containsExactly(new Message.Grant(1), new Message.Revoke(1));
	}

	@Test
	void observeWhenTheLeaderIsReapedShouldGrantTheNextWithoutWaiting() {
		WorkerHandle one = FakeWorkers.ready(1, 101);
		WorkerHandle two = FakeWorkers.ready(2, 102);
		this.keeper.observe(List.of(one, two), true);
		this.keeper.observe(List.of(two), true);
		assertThat(FakeWorkers.channel(two).sent).containsExactly(new Message.Grant(2));
	}

	@Test
	void acknowledgementOfAnOlderEpochShouldGrantNothing() {
		WorkerHandle one = FakeWorkers.ready(1, 101);
		WorkerHandle two = FakeWorkers.ready(2, 102);
		this.keeper.observe(List.of(one, two), true);
		one.leaving("reload");
		this.keeper.observe(List.of(one, two), true);
		control(one, new Message.RevokeAck(0));
		assertThat(FakeWorkers.channel(two).sent).isEmpty();
	}

	@Test
	void yieldShouldRevokeTheLeaderAndGrantAnotherWorkerOnceAcknowledged() {
		WorkerHandle one = FakeWorkers.ready(1, 101);
		WorkerHandle two = FakeWorkers.ready(2, 102);
		this.keeper.observe(List.of(one, two), true);
		assertThat(control(one, new Message.Yield(1))).isTrue();
		assertThat(FakeWorkers.channel(one).sent).containsExactly(new Message.Grant(1), new Message.Revoke(1));
		control(one, new Message.RevokeAck(1));
		assertThat(FakeWorkers.channel(two).sent).containsExactly(new Message.Grant(2));
		assertThat(FakeWorkers.channel(one).sent).hasSize(2);
	}

	@Test
	void onControlWhenTheMessageIsNotAboutLeadershipShouldLeaveItToTheCaller() {
		WorkerHandle one = FakeWorkers.ready(1, 101);
		this.keeper.observe(List.of(one), true);
		assertThat(control(one, new Message.Heartbeat(1, 2, 3, 4, 0))).isFalse();
		assertThat(FakeWorkers.channel(one).sent).containsExactly(new Message.Grant(1));
	}

	@Test
	void observeWhenThePoolStopsShouldGrantNoMore() {
		WorkerHandle one = FakeWorkers.ready(1, 101);
		WorkerHandle two = FakeWorkers.ready(2, 102);
		this.keeper.observe(List.of(one, two), true);
		this.keeper.observe(List.of(two), false);
		assertThat(FakeWorkers.channel(two).sent).isEmpty();
		assertThat(this.keeper.leader()).isNull();
	}

	private boolean control(WorkerHandle from, Message message) {
		return this.keeper.onControl(from, new Envelope(++this.seq, 0, message));
	}

}
