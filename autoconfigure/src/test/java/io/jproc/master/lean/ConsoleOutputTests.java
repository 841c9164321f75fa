package io.jproc.master.lean;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ConsoleOutput}: lines reach the output in order, and an output that
 * takes nothing never makes a caller wait.
 */
class ConsoleOutputTests {

	@Test
	void linesReachTheOutputInOrder() {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		ConsoleOutput output = new ConsoleOutput(new PrintStream(bytes, true, StandardCharsets.UTF_8), 16,
				(dropped) -> "dropped " + dropped + "\n");
		for (int i = 0; i < 1000; i++) {
			output.print("line " + i + "\n");
			if (i % 10 == 0) {
				assertThat(output.flush(5000)).isTrue();
			}
		}
		assertThat(output.flush(5000)).isTrue();
		List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
		assertThat(lines).as("no line dropped while the output takes them").doesNotContain("dropped");
		assertThat(lines).startsWith("line 0", "line 1").endsWith("line 999");
	}

	@Test
	void aBlockedOutputNeverMakesTheCallerWaitAndTheDroppedLinesAreCounted() throws Exception {
		BlockingStream blocking = new BlockingStream();
		ConsoleOutput output = new ConsoleOutput(new PrintStream(blocking, true, StandardCharsets.UTF_8), 8,
				(dropped) -> "dropped " + dropped + "\n");
		long started = System.nanoTime();
		for (int i = 0; i < 10_000; i++) {
			output.print("line " + i + "\n");
		}
		Duration took = Duration.ofNanos(System.nanoTime() - started);
		assertThat(took).as("10,000 lines queued or dropped with the output blocked").isLessThan(Duration.ofSeconds(5));
		assertThat(blocking.writing.await(5, TimeUnit.SECONDS)).as("the writer is blocked in a write").isTrue();
		assertThat(output.dropped()).as("dropped: all but the queued and the one being written")
			.isBetween(10_000L - 8 - 256, 10_000L - 8);
		assertThat(output.flush(200)).as("a flush with the output blocked ends at its bound").isFalse();
		long dropped = output.dropped();
		blocking.release.countDown();
		assertThat(output.flush(5000)).as("everything written once the output takes lines").isTrue();
		List<String> lines = blocking.written().lines().toList();
		assertThat(lines).first().isEqualTo("line 0");
		List<String> notices = lines.stream().filter((line) -> line.startsWith("dropped ")).toList();
		assertThat(notices).as("what was dropped is said").isNotEmpty();
		assertThat(notices.stream().mapToLong((notice) -> Long.parseLong(notice.substring(8))).sum())
			.as("every dropped line counted once")
			.isEqualTo(dropped);
		assertThat(lines).hasSize((int) (10_000 - dropped) + notices.size());
		assertThat(output.dropped()).isZero();
	}

	/** A stream whose first write blocks until released, as a pipe nobody reads. */
	private static final class BlockingStream extends OutputStream {

		final CountDownLatch writing = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

		@Override
		public void write(int b) throws java.io.IOException {
			write(new byte[] { (byte) b }, 0, 1);
		}

		@Override
		public void write(byte[] b, int off, int len) throws java.io.IOException {
			this.writing.countDown();
			try {
				this.release.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new java.io.InterruptedIOException();
			}
			synchronized (this.bytes) {
				this.bytes.write(b, off, len);
			}
		}

		String written() {
			synchronized (this.bytes) {
				return this.bytes.toString(StandardCharsets.UTF_8);
			}
		}

	}

}
