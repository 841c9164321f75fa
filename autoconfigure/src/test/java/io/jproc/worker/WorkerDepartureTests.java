package io.jproc.worker;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.jproc.ExitCodes;
import io.jproc.ipc.Message;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.context.event.ApplicationReadyEvent;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WorkerDeparture}: stop, the master gone, drain and exit, on a fake
 * channel and server with a recorded exit.
 */
class WorkerDepartureTests {

	private static void ready(WorkerSide worker) {
		worker.readiness.onApplicationEvent(
				new ApplicationReadyEvent(new SpringApplication(), new String[0], worker.context, Duration.ZERO));
	}

	@Test
	void stopFromTheMasterRefusesTrafficPausesAcceptingAndClosesTheContext() throws Exception {
		try (WorkerSide worker = new WorkerSide(1)) {
			ready(worker);
			worker.channel.deliver(new Message.Stop("reload"));
			assertThat(worker.departure.isLeaving()).isTrue();
			assertThat(worker.exitCode()).isEqualTo(ExitCodes.OK);
			assertThat(worker.server.pauses).hasValue(1);
			assertThat(worker.context.isActive()).as("closed by SpringApplication.exit").isFalse();
			worker.link.destroy();
			assertThat(worker.channel.closes()).as("the channel closes with a leaving worker").isOne();
		}
	}

	@Test
	void leavingPublishesRefusingTrafficBeforeItPauses() throws Exception {
		try (WorkerSide worker = new WorkerSide(1)) {
			ready(worker);
			AvailabilityChangeEvent.publish(worker.context, ReadinessState.ACCEPTING_TRAFFIC);
			AtomicReference<ReadinessState> atPause = new AtomicReference<>();
			worker.server.onPause = () -> atPause.set(worker.readinessState());
			worker.departure.leave("test", ExitCodes.OK);
			assertThat(worker.exitCode()).isEqualTo(ExitCodes.OK);
			assertThat(atPause).hasValue(ReadinessState.REFUSING_TRAFFIC);
		}
	}

	@Test
	void longLivedConnectionsAreSentAwayAfterTheGraceBeforeTheContextCloses() throws Exception {
		try (WorkerSide worker = new WorkerSide(1)) {
			ready(worker);
			AtomicReference<Boolean> activeWhenTold = new AtomicReference<>();
			long[] toldAfter = new long[1];
			long[] start = new long[1];
			AtomicReference<LongLivedConnections.Registration> socket = new AtomicReference<>();
			socket.set(worker.longLived.open("websocket", () -> {
				toldAfter[0] = System.nanoTime() - start[0];
				activeWhenTold.set(worker.context.isActive());
				socket.get().close();
			}));
			LongLivedConnections.Registration endsByItself = worker.longLived.open("event-stream", () -> {
				throw new AssertionError("a connection that ended within the grace is not told");
			});
			assertThat(worker.longLived.count()).isEqualTo(2);
			start[0] = System.nanoTime();
			worker.departure.leave("test", ExitCodes.OK);
			endsByItself.close();
			assertThat(worker.exitCode()).isEqualTo(ExitCodes.OK);
			assertThat(activeWhenTold).as("told before the drain closes the context").hasValue(true);
			assertThat(Duration.ofNanos(toldAfter[0])).as("told after jproc.long-lived-grace (300ms)")
				.isGreaterThanOrEqualTo(Duration.ofMillis(300));
			assertThat(worker.longLived.count()).isZero();
			AtomicReference<Boolean> toldAtOnce = new AtomicReference<>(false);
			worker.longLived.open("websocket", () -> toldAtOnce.set(true));
			assertThat(toldAtOnce).as("one opened once the worker sent the others away").hasValue(true);
		}
	}

	@Test
	void workerNotReadyYetExitsAtOnceWithoutDraining() throws Exception {
		try (WorkerSide worker = new WorkerSide(1)) {
			worker.channel.deliver(new Message.Stop("shutdown"));
			assertThat(worker.exitCode()).isEqualTo(ExitCodes.OK);
			assertThat(worker.server.pauses).hasValue(0);
			assertThat(worker.context.isActive()).isTrue();
		}
	}

	@Test
	void masterGoneMakesTheWorkerLeaveWithItsExitCode() throws Exception {
		try (WorkerSide worker = new WorkerSide(1)) {
			ready(worker);
			worker.channel.endOfStream();
			assertThat(worker.exitCode()).isEqualTo(ExitCodes.MASTER_GONE);
		}
	}

	@Test
	void onlyTheFirstLeaveCounts() throws Exception {
		try (WorkerSide worker = new WorkerSide(1)) {
			worker.departure.leave("first", 7);
			worker.departure.leave("second", 8);
			worker.channel.deliver(new Message.Stop("third"));
			assertThat(worker.exitCode()).isEqualTo(7);
			assertThat(worker.exits.poll(300, TimeUnit.MILLISECONDS)).isNull();
		}
	}

	@Test
	void closeListenersClosesTheInheritedSocketsAndNothingElse() {
		try (WorkerSide worker = new WorkerSide(1)) {
			worker.channel.deliver(new Message.CloseListeners());
			assertThat(worker.server.closes).hasValue(1);
			assertThat(worker.departure.isLeaving()).isFalse();
		}
	}

	@Test
	void drainedTellsTheMasterWhatWasCutOff() {
		try (WorkerSide worker = new WorkerSide(1)) {
			worker.departure.drained(3);
			assertThat(worker.channel.sent(Message.Drained.class)).containsExactly(new Message.Drained(3));
		}
	}

}
