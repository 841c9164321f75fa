package io.jproc.ipc;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.jproc.ipc.Scoreboard.Entry;
import io.jproc.ipc.Scoreboard.State;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link Scoreboard}: slots claimed by pid, figures seen by the others, stale
 * slots ignored and claimed again, the board shared through its descriptor.
 */
class ScoreboardTests {

	private static final long WAIT = TimeUnit.MILLISECONDS.toNanos(2);

	private static final long NOW = 1_000_000;

	/** A pid that no process has: the largest pid_max is 2^22. */
	private static final long GONE = 5_000_000;

	@Test
	void eachWorkerSeesWhatTheOthersPublishButNotItself() {
		Scoreboard board = Scoreboard.inMemory();
		Scoreboard.Slot one = board.claim(11, NOW);
		Scoreboard.Slot two = board.claim(12, NOW);
		one.publish(5, State.ACCEPTING, NOW);
		two.publish(9, State.PAUSED, NOW);
		assertThat(board.others(one, NOW)).containsExactly(new Entry(12, 9, State.PAUSED));
		assertThat(board.others(two, NOW)).containsExactly(new Entry(11, 5, State.ACCEPTING));
	}

	@Test
	void workersThatAreOutOrSilentAreIgnored() {
		Scoreboard board = Scoreboard.inMemory();
		Scoreboard.Slot one = board.claim(11, NOW);
		Scoreboard.Slot out = board.claim(12, NOW);
		Scoreboard.Slot silent = board.claim(13, NOW);
		out.publish(3, State.OUT, NOW);
		silent.publish(0, State.ACCEPTING, NOW - Scoreboard.STALE_MILLIS - 1);
		assertThat(board.others(one, NOW)).isEmpty();
	}

	@Test
	void staleSlotOfAGoneProcessIsClaimedAgainButNotALiveOnes() {
		Scoreboard board = Scoreboard.inMemory();
		Scoreboard.Slot gone = board.claim(GONE, NOW);
		Scoreboard.Slot alive = board.claim(ProcessHandle.current().pid(), NOW);
		gone.publish(7, State.ACCEPTING, NOW);
		alive.publish(7, State.ACCEPTING, NOW);
		long later = NOW + Scoreboard.STALE_MILLIS + 1;
		Scoreboard.Slot next = board.claim(21, later);
		next.publish(0, State.ACCEPTING, later);
		Scoreboard.Slot after = board.claim(22, later);
		after.publish(0, State.ACCEPTING, later);
		assertThat(board.others(next, later)).containsExactly(new Entry(22, 0, State.ACCEPTING));
	}

	@Test
	void releasedSlotIsFreeAgain() {
		Scoreboard board = Scoreboard.inMemory();
		Scoreboard.Slot one = board.claim(11, NOW);
		one.release();
		for (int i = 0; i < Scoreboard.SLOTS; i++) {
			assertThat(board.claim(100 + i, NOW)).isNotNull();
		}
		assertThat(board.claim(99, NOW)).as("every slot taken").isNull();
	}

	@Test
	void lockIsHeldByOneAtATime() throws Exception {
		Scoreboard board = Scoreboard.inMemory();
		long self = ProcessHandle.current().pid();
		assertThat(board.tryLock(self, WAIT)).isTrue();
		assertThat(board.tryLock(2, WAIT)).as("held by a live process").isFalse();
		AtomicBoolean taken = new AtomicBoolean();
		Thread other = new Thread(() -> taken.set(board.tryLock(2, TimeUnit.SECONDS.toNanos(5))));
		other.start();
		other.join(50);
		board.unlock(self);
		other.join(5_000);
		assertThat(taken).as("taken once released").isTrue();
		assertThat(board.tryLock(self, WAIT)).isFalse();
		board.unlock(2);
		assertThat(board.tryLock(self, WAIT)).isTrue();
	}

	@Test
	void lockHeldByAGoneProcessIsTakenOver() {
		Scoreboard board = Scoreboard.inMemory();
		assertThat(board.tryLock(GONE, WAIT)).isTrue();
		assertThat(board.tryLock(2, TimeUnit.SECONDS.toNanos(5))).as("took the lock over from a process that is gone")
			.isTrue();
	}

	@Test
	void lockHeldByAFrozenProcessIsGivenUpOnAfterTheWait() {
		Scoreboard board = Scoreboard.inMemory();
		// A live process that never releases: a worker stopped with the lock taken.
		assertThat(board.tryLock(ProcessHandle.current().pid(), WAIT)).isTrue();
		long start = System.nanoTime();
		assertThat(board.tryLock(2, Scoreboard.LOCK_WAIT_NANOS)).isFalse();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
	}

	@Test
	void boardCreatedByTheMasterIsSharedThroughItsDescriptor() throws Exception {
		int fd = Scoreboard.create();
		assertThat(fd).isNotNegative();
		Scoreboard first = Scoreboard.map(fd);
		Scoreboard second = Scoreboard.map(fd);
		Scoreboard.Slot one = first.claim(11, NOW);
		Scoreboard.Slot two = second.claim(12, NOW);
		one.publish(4, State.ACCEPTING, NOW);
		assertThat(second.others(two, NOW)).containsExactly(new Entry(11, 4, State.ACCEPTING));
		try (FileChannel file = FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ)) {
			assertThat(file.size()).isEqualTo(Scoreboard.SIZE);
		}
		jnr.posix.POSIXFactory.getNativePOSIX().close(fd);
	}

}
