package io.jproc.worker;

import java.util.concurrent.TimeUnit;

import io.jproc.ExitCodes;
import io.jproc.ipc.Message;
import org.junit.jupiter.api.Test;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SelfRetirement}: the worker asks for its replacement first, then
 * leaves, on a fake channel.
 */
class SelfRetirementTests {

	@Test
	void plannedRetirementAsksOnceAndKeepsServingUntilTheReplacementIsReady() throws Exception {
		try (WorkerSide worker = new WorkerSide(1)) {
			SelfRetirement retirement = new SelfRetirement(worker.identity, worker.link, worker.departure);
			assertThat(retirement.retire("max-requests")).isTrue();
			assertThat(retirement.retire("max-age")).isFalse();
			assertThat(worker.channel.sent(Message.Retire.class))
				.containsExactly(new Message.Retire("max-requests", false));
			assertThat(worker.departure.isLeaving()).isFalse();
			worker.channel.deliver(new Message.ReplacementReady(1234));
			assertThat(worker.departure.isLeaving()).isTrue();
			assertThat(worker.exitCode()).isEqualTo(ExitCodes.OK);
		}
	}

	@Test
	void urgentRetirementAsksThenLeavesAtOnceAndEndsPlannedOnes() throws Exception {
		try (WorkerSide worker = new WorkerSide(1)) {
			SelfRetirement retirement = new SelfRetirement(worker.identity, worker.link, worker.departure);
			retirement.retireNow("OutOfMemoryError");
			retirement.retireNow("again");
			assertThat(worker.channel.sent(Message.Retire.class))
				.containsExactly(new Message.Retire("OutOfMemoryError", true));
			assertThat(worker.departure.isLeaving()).isTrue();
			assertThat(retirement.retire("max-requests")).isFalse();
			assertThat(worker.exitCode()).isEqualTo(ExitCodes.OK);
			assertThat(worker.exits.poll(200, TimeUnit.MILLISECONDS)).isNull();
		}
	}

	@Test
	void brokenLivenessRetiresAtOnceOtherStatesDoNot() {
		try (WorkerSide worker = new WorkerSide(1)) {
			SelfRetirement retirement = new SelfRetirement(worker.identity, worker.link, worker.departure);
			retirement.onApplicationEvent(new AvailabilityChangeEvent<>(this, LivenessState.CORRECT));
			retirement.onApplicationEvent(new AvailabilityChangeEvent<>(this, ReadinessState.REFUSING_TRAFFIC));
			assertThat(worker.channel.sent(Message.Retire.class)).isEmpty();
			retirement.onApplicationEvent(new AvailabilityChangeEvent<>(this, LivenessState.BROKEN));
			assertThat(worker.channel.sent(Message.Retire.class))
				.containsExactly(new Message.Retire("liveness state BROKEN", true));
		}
	}

	@Test
	void workerThatLeavesAsksForNoReplacement() {
		try (WorkerSide worker = new WorkerSide(1)) {
			SelfRetirement retirement = new SelfRetirement(worker.identity, worker.link, worker.departure);
			worker.departure.leave("stopped", ExitCodes.OK);
			assertThat(retirement.retire("max-requests")).isFalse();
			assertThat(worker.channel.sent(Message.Retire.class)).isEmpty();
		}
	}

}
