package io.jproc.master;

import io.jproc.ipc.MalformedFrameException;
import io.jproc.master.process.MasterEvent;
import io.jproc.master.process.WorkerHandle;
import io.jproc.testsupport.RecordingChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for what the loop says of malformed frames ({@link MalformedFrames}): a worker
 * that sends them in a loop gets a few lines, each short, and every request among them an
 * answer.
 */
@ExtendWith(OutputCaptureExtension.class)
class MalformedFramesTests {

	@Test
	void floodOfMalformedFramesFromOneWorkerIsLoggedAtPowersOfTwoEachLineShortened(CapturedOutput output) {
		FakePool pool = new FakePool(2);
		pool.settle();
		WorkerHandle flooding = pool.current(1);
		WorkerHandle other = pool.current(2);
		String value = "x".repeat(100_000);
		for (int i = 1; i <= 100; i++) {
			pool.arbiter.step(new MasterEvent.Malformed(flooding,
					new MalformedFrameException("unknown message type '" + value + "'", false, i)));
		}
		pool.arbiter.step(new MasterEvent.Malformed(other, new MalformedFrameException("not JSON", false, 0)));
		assertThat(output.getOut().lines().filter((line) -> line.contains(flooding + " sent a malformed frame")))
			.as("the 1st, 2nd, 4th, ... 64th")
			.hasSize(7)
			.allMatch((line) -> line.length() < 500)
			.last()
			.asString()
			.contains("(64 malformed frames from it so far; the next logged at 128)");
		assertThat(output.getOut()).contains(other + " sent a malformed frame, ignored: not JSON");
		RecordingChannel channel = (RecordingChannel) flooding.channel();
		assertThat(channel.replies).as("every request among them is answered").hasSize(100);
		assertThat(channel.replies.get(0).toString()).hasSizeLessThan(300);
	}

}
