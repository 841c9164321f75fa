package io.jproc.master.systemd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.jproc.ipc.Message.Command.Action;
import io.jproc.ipc.PoolStatus;
import io.jproc.ipc.WireEnum;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PoolLifecycle}: what systemd hears, from the pool's status alone.
 */
class PoolLifecycleTests {

	private static final Instant NOW = Instant.parse("2025-01-02T03:04:05Z");

	@TempDir
	Path temp;

	private UnixDatagramChannel listener;

	private PoolLifecycle lifecycle;

	@BeforeEach
	void listen() throws IOException {
		String path = this.temp.resolve("notify").toString();
		this.listener = UnixDatagramChannel.open();
		this.listener.bind(new UnixSocketAddress(path));
		this.listener.configureBlocking(false);
		SystemdNotifier notifier = SystemdNotifier.from(Map.of("NOTIFY_SOCKET", path, "WATCHDOG_USEC", "2000000"), 1);
		this.lifecycle = new PoolLifecycle(List.of(), notifier, new JarWatch(null));
	}

	@AfterEach
	void close() throws IOException {
		this.listener.close();
	}

	@Test
	void readyOnceEveryWorkerIsReady() throws IOException {
		this.lifecycle.tick(status(null, "starting", "starting"), NOW);
		this.lifecycle.tick(status(null, "ready", "starting"), NOW.plusMillis(200));
		this.lifecycle.tick(status(null, "ready", "ready"), NOW.plusMillis(400));
		this.lifecycle.tick(status(null, "ready", "ready"), NOW.plusMillis(600));
		assertThat(received()).containsExactly("WATCHDOG=1", "STATUS=0/2 workers ready", "STATUS=1/2 workers ready",
				"READY=1\nSTATUS=2/2 workers ready");
	}

	@Test
	void readyWithASlotGivenUpSaysSo() throws IOException {
		this.lifecycle.tick(status(null, "ready", "given-up"), NOW);
		assertThat(received()).contains("READY=1\nSTATUS=1/2 workers ready, 1 given up");
	}

	@Test
	void neverReadyWhenEverySlotGaveUp() throws IOException {
		this.lifecycle.tick(status(null, "given-up", "given-up"), NOW);
		assertThat(received()).noneMatch((text) -> text.contains("READY=1"));
	}

	@Test
	void reloadIsReloadingThenReady() throws IOException {
		this.lifecycle.tick(status(null, "ready", "ready"), NOW);
		PoolStatus.Operation running = new PoolStatus.Operation(Action.RELOAD, "SIGHUP",
				PoolStatus.Operation.State.RUNNING, 0, 2, NOW, null, "");
		this.lifecycle.tick(status(running, "ready", "ready"), NOW.plusMillis(200));
		this.lifecycle.tick(status(running, "ready", "ready"), NOW.plusMillis(400));
		PoolStatus.Operation done = new PoolStatus.Operation(Action.RELOAD, "SIGHUP", PoolStatus.Operation.State.DONE,
				2, 2, NOW, NOW.plusSeconds(9), "");
		this.lifecycle.tick(status(done, "ready", "ready"), NOW.plusMillis(600));
		List<String> received = received();
		assertThat(received.get(2)).startsWith("RELOADING=1\nMONOTONIC_USEC=")
			.endsWith("STATUS=2/2 workers ready; reload (SIGHUP): 0/2 replaced");
		assertThat(received.get(3)).isEqualTo("READY=1\nSTATUS=2/2 workers ready");
	}

	@Test
	void reloadThatFailsBetweenTwoTicksIsStillReloadingThenReady() throws IOException {
		this.lifecycle.tick(status(null, "ready", "ready"), NOW);
		PoolStatus.Operation failed = new PoolStatus.Operation(Action.RELOAD, "SIGHUP",
				PoolStatus.Operation.State.FAILED, 0, 2, NOW, NOW.plusMillis(60),
				"worker 1 (pid 7) exited with exit code 1 before it was ready");
		this.lifecycle.tick(status(failed, "ready", "ready"), NOW.plusMillis(200));
		this.lifecycle.tick(status(failed, "ready", "ready"), NOW.plusMillis(400));
		List<String> received = received();
		assertThat(received).hasSize(4);
		assertThat(received.get(2)).startsWith("RELOADING=1\nMONOTONIC_USEC=");
		assertThat(received.get(3)).isEqualTo("READY=1\nSTATUS=2/2 workers ready; last reload failed: worker 1 "
				+ "(pid 7) exited with exit code 1 before it was ready");
	}

	@Test
	void shutdownIsStoppingAndNothingAfter() throws IOException {
		this.lifecycle.tick(status(null, "ready", "ready"), NOW);
		this.lifecycle.shutdownBegun(List.of(), "SIGTERM");
		this.lifecycle.tick(status(null, "draining", "draining"), NOW.plusMillis(200));
		List<String> received = received();
		assertThat(received.get(received.size() - 1)).startsWith("STOPPING=1\nSTATUS=shutting down (SIGTERM)");
	}

	@Test
	void watchdogEveryHalfOfWatchdogUsecFromTheTick() throws IOException {
		for (int millis = 0; millis <= 3000; millis += 200) {
			this.lifecycle.tick(status(null, "ready", "ready"), NOW.plusMillis(millis));
		}
		// At 0, 1000, 2000 and 3000 ms.
		assertThat(received().stream().filter("WATCHDOG=1"::equals)).hasSize(4);
	}

	private static PoolStatus status(PoolStatus.Operation operation, String... states) {
		List<PoolStatus.Slot> slots = new ArrayList<>();
		for (int i = 0; i < states.length; i++) {
			slots.add(new PoolStatus.Slot(i + 1, null, WireEnum.parse(io.jproc.SlotState.class, states[i]), null, null,
					0, Map.of(), null, null, null, null, null));
		}
		return new PoolStatus(NOW,
				new PoolStatus.Master(1, io.jproc.PoolState.RUNNING, NOW, List.of(), states.length, operation), slots);
	}

	private List<String> received() throws IOException {
		List<String> received = new ArrayList<>();
		ByteBuffer buffer = ByteBuffer.allocate(1024);
		while (true) {
			buffer.clear();
			try {
				if (this.listener.receive(buffer) == null) {
					return received;
				}
			}
			catch (IOException ex) {
				// jnr reports an empty non-blocking socket as EAGAIN.
				return received;
			}
			buffer.flip();
			received.add(StandardCharsets.UTF_8.decode(buffer).toString());
		}
	}

}
