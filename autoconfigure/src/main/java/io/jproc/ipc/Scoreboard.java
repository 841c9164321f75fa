package io.jproc.ipc;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import jnr.constants.platform.OpenFlags;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import org.jspecify.annotations.Nullable;

/**
 * A few kilobytes of memory shared by the master and every worker, one slot per worker
 * process, where each worker publishes how many connections it holds and whether it
 * accepts, so that the others can see it within microseconds (heartbeats are seconds
 * apart). The master creates it as an unlinked file and passes its descriptor down; a
 * worker maps it and claims a free slot by its pid. Used to spread connections
 * ({@code jproc.balance.*}).
 * <p>
 * Layout (native byte order, every field a long, 64-byte lines): a header line whose
 * first field is a lock (the pid holding it, or 0), then {@link #SLOTS} slots of
 * {@code pid, connections, state, stamp}. A slot whose stamp is older than
 * {@link #STALE_MILLIS} belongs to no live, responsive worker and is ignored; a free slot
 * has pid 0, and a stale one may be claimed again.
 */
public final class Scoreboard {

	/** Slots: every worker and spare the pool may have. */
	public static final int SLOTS = 512;

	/** Age past which a slot is ignored: its worker is gone or stopped. */
	public static final long STALE_MILLIS = 1_000;

	private static final int LINE = 64;

	/** Bytes of the whole board. */
	public static final int SIZE = LINE + SLOTS * LINE;

	private static final int PID = 0;

	private static final int CONNECTIONS = 8;

	private static final int STATE = 16;

	private static final int STAMP = 24;

	private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

	private final ByteBuffer memory;

	private Scoreboard(ByteBuffer memory) {
		this.memory = memory;
	}

	/**
	 * Create the board in the master: a file in {@code /dev/shm} (or the temporary
	 * directory), readable by this user alone, unlinked at once so that nothing is left
	 * behind, whatever ends the master.
	 * @return the open descriptor, to pass to every worker, or -1 if it cannot be made
	 */
	public static int create() {
		POSIX posix = POSIXFactory.getNativePOSIX();
		Path dir = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm")
				: Path.of(System.getProperty("java.io.tmpdir"));
		String path = dir.resolve("jproc-scoreboard-" + ProcessHandle.current().pid() + "-" + System.nanoTime())
			.toString();
		int fd = posix.open(path, OpenFlags.O_RDWR.intValue() | OpenFlags.O_CREAT.intValue()
				| OpenFlags.O_EXCL.intValue() | OpenFlags.O_CLOEXEC.intValue(), 0600);
		if (fd < 0) {
			return -1;
		}
		posix.unlink(path);
		if (posix.ftruncate(fd, SIZE) != 0) {
			posix.close(fd);
			return -1;
		}
		return fd;
	}

	/**
	 * Map the board a worker inherited.
	 * @param fd the inherited descriptor
	 * @return the board
	 * @throws IOException if it cannot be mapped
	 */
	public static Scoreboard map(int fd) throws IOException {
		try (FileChannel file = FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ,
				StandardOpenOption.WRITE)) {
			MappedByteBuffer memory = file.map(FileChannel.MapMode.READ_WRITE, 0, SIZE);
			return new Scoreboard(memory);
		}
	}

	/**
	 * A board in this process's memory alone, for tests.
	 * @return the board
	 */
	public static Scoreboard inMemory() {
		return new Scoreboard(ByteBuffer.allocateDirect(SIZE));
	}

	/**
	 * Claim a free or stale slot for a process.
	 * @param pid the process
	 * @param now the current time in milliseconds since the epoch
	 * @return the slot, or {@code null} if every slot is taken
	 */
	public @Nullable Slot claim(long pid, long now) {
		for (int i = 0; i < SLOTS; i++) {
			int base = LINE + i * LINE;
			long holder = (long) LONGS.getVolatile(this.memory, base + PID);
			boolean free = holder == 0 || (now - (long) LONGS.getVolatile(this.memory, base + STAMP) > STALE_MILLIS
					&& !ProcessHandle.of(holder).map(ProcessHandle::isAlive).orElse(false));
			if (free && LONGS.compareAndSet(this.memory, base + PID, holder, pid)) {
				LONGS.setVolatile(this.memory, base + CONNECTIONS, 0L);
				LONGS.setVolatile(this.memory, base + STATE, (long) State.OUT.ordinal());
				LONGS.setVolatile(this.memory, base + STAMP, now);
				return new Slot(i, pid);
			}
		}
		return null;
	}

	/**
	 * Longest a worker waits for the board's lock: it is held for microseconds, so a
	 * holder that keeps it longer is preempted, or frozen (stopped by a signal, a cgroup
	 * freezer, a debugger) with the lock taken. Waiting on it would wedge the accepting
	 * thread of every other worker for as long as the frozen one stays frozen.
	 */
	public static final long LOCK_WAIT_NANOS = 2_000_000;

	/**
	 * Take the board's lock, waiting a little: the decisions to stop accepting are made
	 * one at a time, each by one thread of its process. Spins, since it is held for
	 * microseconds, then yields; a holder whose process is gone is passed over. Gives up
	 * after {@code maxWaitNanos}, so that a frozen holder never stops the others.
	 * @param pid this process
	 * @param maxWaitNanos how long to wait at most
	 * @return whether the lock is now held by {@code pid}; if not, the caller decides
	 * nothing that needs it
	 */
	public boolean tryLock(long pid, long maxWaitNanos) {
		long start = System.nanoTime();
		for (int tries = 1;; tries++) {
			long holder = (long) LONGS.getVolatile(this.memory, PID);
			if (holder == 0 && LONGS.compareAndSet(this.memory, PID, 0L, pid)) {
				return true;
			}
			if (tries % 64 == 0) {
				if (holder != 0 && !ProcessHandle.of(holder).map(ProcessHandle::isAlive).orElse(false)
						&& LONGS.compareAndSet(this.memory, PID, holder, pid)) {
					return true;
				}
				if (System.nanoTime() - start > maxWaitNanos) {
					return false;
				}
				// On two cores the holder may be waiting for this very core.
				Thread.yield();
			}
			else {
				Thread.onSpinWait();
			}
		}
	}

	/**
	 * Release the lock taken with {@link #tryLock(long, long)}.
	 * @param pid this process
	 */
	public void unlock(long pid) {
		LONGS.compareAndSet(this.memory, PID, pid, 0L);
	}

	/**
	 * The slots of every live, responsive worker, but one.
	 * @param except the slot to leave out (the reader's own)
	 * @param now the current time in milliseconds since the epoch
	 * @return what each of the others publishes
	 */
	public java.util.List<Entry> others(Slot except, long now) {
		java.util.List<Entry> entries = new java.util.ArrayList<>();
		for (int i = 0; i < SLOTS; i++) {
			if (i == except.index) {
				continue;
			}
			int base = LINE + i * LINE;
			long pid = (long) LONGS.getVolatile(this.memory, base + PID);
			if (pid == 0) {
				continue;
			}
			long stamp = (long) LONGS.getVolatile(this.memory, base + STAMP);
			if (now - stamp > STALE_MILLIS) {
				continue;
			}
			State state = State.of((long) LONGS.getVolatile(this.memory, base + STATE));
			if (state != State.OUT) {
				entries.add(new Entry(pid, (long) LONGS.getVolatile(this.memory, base + CONNECTIONS), state));
			}
		}
		return entries;
	}

	/**
	 * Whether a worker takes part in the balance, and how.
	 */
	public enum State {

		/** Not serving (a spare, a worker warming up or leaving): ignored. */
		OUT,

		/** Serving and accepting. */
		ACCEPTING,

		/** Serving, not accepting until it is back near the others. */
		PAUSED;

		static State of(long value) {
			return (value >= 0 && value < values().length) ? values()[(int) value] : OUT;
		}

	}

	/**
	 * What one other worker publishes.
	 *
	 * @param pid its process
	 * @param connections the connections it holds
	 * @param state whether it accepts
	 */
	public record Entry(long pid, long connections, State state) {
	}

	/**
	 * One worker's slot.
	 */
	public final class Slot {

		private final int index;

		private final long pid;

		Slot(int index, long pid) {
			this.index = index;
			this.pid = pid;
		}

		private int base() {
			return LINE + this.index * LINE;
		}

		/**
		 * Publish this worker's figures.
		 * @param connections the connections it holds
		 * @param state whether it accepts
		 * @param now the current time in milliseconds since the epoch
		 */
		public void publish(long connections, State state, long now) {
			LONGS.setVolatile(Scoreboard.this.memory, base() + CONNECTIONS, connections);
			LONGS.setVolatile(Scoreboard.this.memory, base() + STATE, (long) state.ordinal());
			LONGS.setVolatile(Scoreboard.this.memory, base() + STAMP, now);
		}

		/**
		 * Give the slot back.
		 */
		public void release() {
			LONGS.setVolatile(Scoreboard.this.memory, base() + STATE, (long) State.OUT.ordinal());
			LONGS.compareAndSet(Scoreboard.this.memory, base() + PID, this.pid, 0L);
		}

		public long pid() {
			return this.pid;
		}

	}

}
