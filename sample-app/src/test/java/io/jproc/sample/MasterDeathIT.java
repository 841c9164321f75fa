package io.jproc.sample;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.jproc.sample.support.MasterProcess;
import io.jproc.sample.support.RawHttp;
import io.jproc.sample.support.Signals;
import io.jproc.sample.support.Sockets;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker whose master is killed finishes what it serves and leaves: no orphan keeps the
 * port.
 */
class MasterDeathIT {

	@Test
	void workersLeaveWithinTheDrainDeadlineWhenTheMasterIsKilled() throws Exception {
		try (MasterProcess master = MasterProcess.start("master-death", "--jproc.workers=1",
				"--jproc.drain-timeout=5s")) {
			master.awaitAllReady(1, Duration.ofSeconds(60));
			int port = master.port();
			List<Long> workers = master.awaitWorkerCount(1, Duration.ofSeconds(5));
			try (RawHttp.Pending inFlight = RawHttp.send(port, "/slow?ms=2000", Duration.ofSeconds(20))) {
				Thread.sleep(500);
				Signals.send(master.pid(), "KILL");
				assertThat(inFlight.response().status()).as("request in flight when the master died").isEqualTo(200);
			}
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5 + 10);
			while (workers.stream().anyMatch((pid) -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
					&& System.nanoTime() < deadline) {
				Thread.sleep(100);
			}
			assertThat(workers).as("workers alive after their master died")
				.noneMatch((pid) -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
			assertThat(Sockets.canBind(port)).as("port free again").isTrue();
		}
	}

}
