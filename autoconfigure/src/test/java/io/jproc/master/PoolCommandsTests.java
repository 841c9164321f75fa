package io.jproc.master;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.jproc.JprocProperties;
import io.jproc.ipc.IpcChannel;
import io.jproc.ipc.Message;
import jnr.unixsocket.UnixSocketChannel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PoolCommands} against a pool that only records what it is asked.
 */
class PoolCommandsTests {

	private final JprocProperties properties = new JprocProperties();

	private final Instant now = Instant.parse("2026-01-01T00:00:00Z");

	private FakePool pool;

	private PoolCommands commands;

	@BeforeEach
	void pool() throws IOException {
		this.pool = new FakePool();
		this.pool.addReady();
		this.pool.addReady();
		this.commands = new PoolCommands(this.properties, this.pool);
	}

	@Test
	void reloadReplacesOneWorkerAtATimeAndDrainsTheOldOnlyOnceTheNewIsReady() {
		assertThat(this.commands.reload("SIGHUP", this.now).accepted()).isTrue();
		assertThat(this.pool.started).hasSize(1);
		assertThat(this.pool.stopped).isEmpty();
		WorkerHandle first = this.pool.started.get(0);
		WorkerHandle old = this.pool.slots.get(0).current();
		ready(first);
		assertThat(this.pool.stopped).containsExactly(old);
		assertThat(this.pool.slots.get(0).current()).isSameAs(first);
		assertThat(this.pool.started).hasSize(2);
		ready(this.pool.started.get(1));
		assertThat(this.pool.stopped).hasSize(2);
		assertThat(this.commands.status().state()).isEqualTo("done");
		assertThat(this.commands.status().replaced()).isEqualTo(2);
		assertThat(this.pool.slots.get(0).restarts()).isEqualTo(1);
	}

	@Test
	void reloadWithMaxParallelTwoStartsBothReplacementsAtOnce() {
		this.properties.getReload().setMaxParallel(2);
		this.commands.reload("SIGHUP", this.now);
		assertThat(this.pool.started).hasSize(2);
	}

	@Test
	void newWorkerThatFailsStopsTheReloadAndKeepsTheOldWorkers() {
		this.commands.reload("SIGHUP", this.now);
		WorkerHandle failing = this.pool.started.get(0);
		assertThat(this.commands.onExited(failing, new Exit(1, 0), this.now)).isTrue();
		assertThat(this.pool.stopped).isEmpty();
		assertThat(this.pool.slots).allSatisfy((slot) -> assertThat(slot.current().state()).isEqualTo(WorkerState.READY));
		assertThat(this.pool.started).as("no further replacement").hasSize(1);
		assertThat(this.commands.status().state()).isEqualTo("failed");
		assertThat(this.commands.status().message()).contains("exited with exit code 1 before it was ready");
		assertThat(this.commands.reload("SIGHUP", this.now).accepted()).as("a new reload may start").isTrue();
	}

	@Test
	void newWorkerNotReadyInTimeIsKilledAndTheReloadStops() {
		this.properties.getReload().setReadyTimeout(Duration.ofSeconds(30));
		this.commands.reload("SIGHUP", this.now);
		WorkerHandle slow = this.pool.started.get(0);
		this.commands.tick(this.now.plusSeconds(31));
		assertThat(this.pool.killed).containsExactly(slow);
		assertThat(this.commands.status().state()).isEqualTo("failed");
		assertThat(this.commands.onExited(slow, new Exit(-1, 9), this.now)).as("its exit is handled here").isTrue();
	}

	@Test
	void secondOperationWhileAReloadRunsIsRefusedAsConflict() {
		this.commands.reload("SIGHUP", this.now);
		Message.CommandResult second = this.commands.execute(new Message.Command("scale", 4, null), "test", this.now);
		assertThat(second.accepted()).isFalse();
		assertThat(second.refusal()).isEqualTo("conflict");
		assertThat(second.message()).contains("a reload is running (0 of 2 workers replaced)");
	}

	@Test
	void absurdScaleAndUnknownWorkerAndActionAreRefusedAndChangeNothing() {
		assertThat(this.commands.execute(new Message.Command("scale", 0, null), "t", this.now).refusal())
			.isEqualTo("invalid");
		assertThat(this.commands.execute(new Message.Command("scale", 5000, null), "t", this.now).refusal())
			.isEqualTo("invalid");
		assertThat(this.commands.execute(new Message.Command("scale", null, null), "t", this.now).refusal())
			.isEqualTo("invalid");
		assertThat(this.commands.execute(new Message.Command("restart", null, 9), "t", this.now).refusal())
			.isEqualTo("not-found");
		assertThat(this.commands.execute(new Message.Command("explode", null, null), "t", this.now).refusal())
			.isEqualTo("invalid");
		assertThat(this.pool.started).isEmpty();
		assertThat(this.pool.stopped).isEmpty();
		assertThat(this.pool.slots).hasSize(2);
	}

	@Test
	void scaleUpAddsSlotsAndScaleDownDrainsTheHighestIds() {
		assertThat(this.commands.scale(4, "t", this.now).accepted()).isTrue();
		assertThat(this.pool.slots).extracting(Slot::id).containsExactly(1, 2, 3, 4);
		assertThat(this.pool.started).hasSize(2);
		WorkerHandle two = this.pool.slots.get(1).current();
		assertThat(this.commands.scale(1, "t", this.now).accepted()).isTrue();
		assertThat(this.pool.slots).extracting(Slot::id).containsExactly(1);
		assertThat(this.pool.stopped).contains(two).hasSize(3);
	}

	@Test
	void restartOfAStartingWorkerIsAConflict() throws IOException {
		this.pool.slots.get(1).current(this.pool.worker(2));
		Message.CommandResult result = this.commands.restart(2, "t", this.now);
		assertThat(result.refusal()).isEqualTo("conflict");
		assertThat(result.message()).contains("is starting");
	}

	@Test
	void restartOfAGivenUpSlotStartsItAgain() {
		JprocProperties.Restart policy = this.properties.getRestart();
		policy.setMaxBootFailures(1);
		Slot slot = this.pool.slots.get(1);
		slot.onFailure(slot.current(), true, this.now);
		slot.current(null);
		assertThat(slot.gaveUp()).isTrue();
		Message.CommandResult result = this.commands.restart(2, "t", this.now);
		assertThat(result.accepted()).isTrue();
		assertThat(result.message()).contains("was given up");
		assertThat(slot.gaveUp()).isFalse();
		assertThat(this.pool.started).hasSize(1);
	}

	@Test
	void nothingIsAcceptedWhileShuttingDown() {
		this.pool.running = false;
		assertThat(this.commands.reload("SIGHUP", this.now).refusal()).isEqualTo("conflict");
	}

	private void ready(WorkerHandle worker) {
		worker.ready(this.now);
		assertThat(this.commands.onReady(worker, this.now)).isTrue();
	}

	private final class FakePool implements PoolCommands.Pool {

		final List<Slot> slots = new ArrayList<>();

		final List<WorkerHandle> started = new ArrayList<>();

		final List<WorkerHandle> stopped = new ArrayList<>();

		final List<WorkerHandle> killed = new ArrayList<>();

		boolean running = true;

		private long nextPid = 100;

		void addReady() throws IOException {
			Slot slot = addSlot();
			WorkerHandle worker = worker(slot.id());
			worker.ready(PoolCommandsTests.this.now);
			slot.current(worker);
		}

		WorkerHandle worker(int id) {
			try {
				return new WorkerHandle(id, this.nextPid++, PoolCommandsTests.this.now,
						IpcChannel.of(UnixSocketChannel.pair()[0], "test"));
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		}

		@Override
		public List<Slot> slots() {
			return this.slots;
		}

		@Override
		public Slot slotOf(WorkerHandle worker) {
			return this.slots.stream().filter((slot) -> slot.id() == worker.id()).findFirst().orElseThrow();
		}

		@Override
		public Slot addSlot() {
			Slot slot = new Slot(this.slots.size() + 1, PoolCommandsTests.this.properties.getRestart());
			this.slots.add(slot);
			return slot;
		}

		@Override
		public void removeSlot(Slot slot) {
			this.slots.remove(slot);
		}

		@Override
		public WorkerHandle spawn(Slot slot) {
			WorkerHandle worker = spawnBeside(slot);
			slot.current(worker);
			return worker;
		}

		@Override
		public WorkerHandle spawnBeside(Slot slot) {
			WorkerHandle worker = worker(slot.id());
			this.started.add(worker);
			return worker;
		}

		@Override
		public void stop(WorkerHandle worker, String reason, Instant killAt) {
			this.stopped.add(worker);
		}

		@Override
		public void kill(WorkerHandle worker) {
			this.killed.add(worker);
		}

		@Override
		public boolean isRunning() {
			return this.running;
		}

	}

}
