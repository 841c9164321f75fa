package io.jproc.worker;

import java.time.Duration;
import java.util.List;

import io.jproc.JprocProperties;
import io.jproc.ipc.Message;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.support.GenericApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WorkerReadiness}: {@code Ready}, the warm-up hand-off, a spare's hold
 * and {@code TakeSlot}, on a fake channel and server.
 */
class WorkerReadinessTests {

	private static ApplicationReadyEvent ready(WorkerSide worker) {
		return new ApplicationReadyEvent(new SpringApplication(), new String[0], worker.context, Duration.ZERO);
	}

	@Test
	void reportsReadyOnceForItsOwnContext() {
		try (WorkerSide worker = new WorkerSide(1)) {
			try (GenericApplicationContext other = new GenericApplicationContext()) {
				other.refresh();
				worker.readiness.onApplicationEvent(
						new ApplicationReadyEvent(new SpringApplication(), new String[0], other, Duration.ZERO));
			}
			assertThat(worker.readiness.isReady()).isFalse();
			worker.readiness.onApplicationEvent(ready(worker));
			worker.readiness.onApplicationEvent(ready(worker));
			assertThat(worker.readiness.isReady()).isTrue();
			assertThat(worker.channel.sent(Message.Ready.class)).singleElement()
				.satisfies((sent) -> assertThat(sent.pid()).isEqualTo(ProcessHandle.current().pid()));
		}
	}

	@Test
	void spareRefusesTrafficUntilTheMasterGivesItASlot() {
		try (WorkerSide spare = new WorkerSide(0)) {
			spare.readiness.onApplicationEvent(ready(spare));
			AvailabilityChangeEvent.publish(spare.context, ReadinessState.ACCEPTING_TRAFFIC);
			spare.readiness.bootReadinessPublished(spare.context);
			assertThat(spare.readinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
			assertThat(spare.server.isHeld()).as("a ready spare keeps holding").isTrue();

			spare.channel.deliver(new Message.TakeSlot(2));
			assertThat(spare.identity.id()).isEqualTo(2);
			assertThat(spare.server.starts).hasValue(1);
			assertThat(spare.readinessState()).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);

			spare.channel.deliver(new Message.TakeSlot(3));
			assertThat(spare.identity.id()).as("a slot is taken once").isEqualTo(2);
		}
	}

	@Test
	void slotTakenBeforeBootIsReadyLeavesReadinessToBoot() {
		try (WorkerSide spare = new WorkerSide(0)) {
			spare.channel.deliver(new Message.TakeSlot(1));
			assertThat(spare.server.starts).hasValue(1);
			AvailabilityChangeEvent.publish(spare.context, ReadinessState.ACCEPTING_TRAFFIC);
			spare.readiness.bootReadinessPublished(spare.context);
			assertThat(spare.readinessState()).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
		}
	}

	@Test
	void workerThatIsNoSpareOrLeavesTakesNoSlot() {
		try (WorkerSide worker = new WorkerSide(3); WorkerSide spare = new WorkerSide(0)) {
			worker.channel.deliver(new Message.TakeSlot(2));
			assertThat(worker.identity.id()).isEqualTo(3);
			spare.readiness.beginLeaving();
			spare.channel.deliver(new Message.TakeSlot(2));
			assertThat(spare.identity.isSpare()).isTrue();
			assertThat(spare.server.starts).hasValue(0);
			spare.channel.deliver(new Message.TakeSlot(0));
			assertThat(spare.identity.isSpare()).isTrue();
		}
	}

	@Test
	void workerThatWarmsUpAcceptsOnlyOnceItReportsReady() {
		JprocProperties.Warmup warmup = new JprocProperties.Warmup();
		warmup.setRequests(1);
		warmup.setPaths(List.of("/"));
		try (WorkerSide worker = new WorkerSide(1, warmup)) {
			assertThat(worker.server.isHeld()).isTrue();
			worker.server.loopback = () -> {
				assertThat(worker.server.isHeld()).as("held while warming up").isTrue();
				assertThat(Thread.currentThread().getName()).isEqualTo("jproc-warmup");
				throw new IllegalStateException("no port");
			};
			AvailabilityChangeEvent.publish(worker.context, ReadinessState.ACCEPTING_TRAFFIC);
			worker.readiness.bootReadinessPublished(worker.context);
			assertThat(worker.readinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
			worker.readiness.onApplicationEvent(ready(worker));
			WorkerSide.eventually(worker.readiness::isReady);
			assertThat(worker.server.starts).hasValue(1);
			assertThat(worker.channel.sent(Message.Ready.class)).hasSize(1);
			assertThat(worker.readinessState()).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
		}
	}

	@Test
	void beginsLeavingOnce() {
		try (WorkerSide worker = new WorkerSide(1)) {
			assertThat(worker.readiness.isLeaving()).isFalse();
			assertThat(worker.readiness.beginLeaving()).isTrue();
			assertThat(worker.readiness.beginLeaving()).isFalse();
			assertThat(worker.departure.isLeaving()).isTrue();
		}
	}

}
