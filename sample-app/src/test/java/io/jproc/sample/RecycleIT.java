package io.jproc.sample;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import io.jproc.sample.support.Load;
import io.jproc.sample.support.MasterProcess;
import io.jproc.sample.support.RetirementLine;
import io.jproc.sample.support.Sockets;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code jproc.recycle.max-requests} under a steady stream of requests: workers are
 * recycled one after the other, the number of workers accepting on the shared socket
 * (read from the kernel, sampled every 50 ms) never drops below the configured count, and
 * no request fails.
 */
class RecycleIT {

	private static final Pattern RECYCLED = Pattern
		.compile("retired \\(served \\d+ requests, " + "jproc.recycle.max-requests=150");

	@Test
	void workersRecycleWithoutEverHavingFewerAcceptingThanConfiguredAndNoRequestFails() throws Exception {
		// The connection balance stops a worker that holds more connections than its
		// share
		// (it still serves them): this test counts the workers that accept to check the
		// order of a replacement, so it runs without the balance.
		try (MasterProcess master = MasterProcess.start("recycle", "--jproc.workers=2",
				"--jproc.recycle.max-requests=150", "--jproc.recycle.max-requests-jitter=50",
				"--jproc.balance.enabled=false")) {
			master.awaitAllReady(2, Duration.ofSeconds(90));
			Set<Long> shared = Sockets.listeningSocketsOf(master.pid());
			assertThat(shared).hasSize(1);
			long inode = shared.iterator().next();
			AtomicBoolean sampling = new AtomicBoolean(true);
			AtomicInteger fewest = new AtomicInteger(Integer.MAX_VALUE);
			AtomicInteger samples = new AtomicInteger();
			Thread sampler = new Thread(() -> {
				while (sampling.get()) {
					List<Long> workers = master.workerPids();
					int accepting = (int) workers.stream().filter((pid) -> Sockets.isAccepting(pid, inode)).count();
					fewest.accumulateAndGet(accepting, Math::min);
					samples.incrementAndGet();
					try {
						Thread.sleep(50);
					}
					catch (InterruptedException ex) {
						return;
					}
				}
			}, "accepting-sampler");
			try (Load load = Load.start(master.port(), "/", 2, Duration.ofSeconds(150))) {
				sampler.start();
				master.awaitLog(RECYCLED, 3, Duration.ofSeconds(120));
				load.awaitMore(20, Duration.ofSeconds(10));
				sampling.set(false);
				sampler.join(5_000);
				List<RetirementLine> lines = RetirementLine.all(master.log());
				assertThat(lines).as("recycles").hasSizeGreaterThanOrEqualTo(3);
				assertThat(lines).allSatisfy((line) -> {
					assertThat(line.text()).contains("with exit code 0");
					assertThat(line.exitedAt()).as("exit after the replacement was ready: " + line.text())
						.isGreaterThanOrEqualTo(line.readyAt());
				});
				assertThat(samples.get()).as("samples taken").isGreaterThan(50);
				assertThat(fewest.get()).as("fewest workers accepting in " + samples.get() + " samples")
					.isGreaterThanOrEqualTo(2);
				assertThat(load.failures()).as("failed requests of " + load.ok()).isEmpty();
			}
			finally {
				sampling.set(false);
			}
		}
	}

}
