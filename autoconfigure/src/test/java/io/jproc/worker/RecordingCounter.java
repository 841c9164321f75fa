package io.jproc.worker;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@link WorkerServer.ConnectionCounter} for a server's socket under test: it counts
 * the connections the socket reports and, when told, balances accepting off from
 * {@code opened()}, on the accepting thread, as {@link ConnectionBalancer} does.
 */
public final class RecordingCounter implements WorkerServer.ConnectionCounter {

	private final InheritedSocketPair.Socket socket;

	private final AtomicInteger opened = new AtomicInteger();

	private final AtomicInteger closed = new AtomicInteger();

	private volatile boolean stopOnOpen;

	/**
	 * A counter that balances the given socket.
	 * @param socket the socket whose connections it counts
	 */
	public RecordingCounter(InheritedSocketPair.Socket socket) {
		this.socket = socket;
	}

	/**
	 * Whether {@code opened()} balances accepting off.
	 * @param stop {@code true} to stop accepting on every connection opened
	 */
	public void stopOnOpen(boolean stop) {
		this.stopOnOpen = stop;
	}

	@Override
	public void opened() {
		this.opened.incrementAndGet();
		if (this.stopOnOpen) {
			this.socket.balanceAccepting(false);
		}
	}

	@Override
	public void closed() {
		this.closed.incrementAndGet();
	}

	/**
	 * How many connections opened so far.
	 * @return the count
	 */
	public int openedCount() {
		return this.opened.get();
	}

	/**
	 * How many connections closed so far.
	 * @return the count
	 */
	public int closedCount() {
		return this.closed.get();
	}

	/**
	 * Wait for a number of connections to have opened.
	 * @param target the number
	 * @param bound how long to wait at most
	 * @throws InterruptedException if interrupted
	 */
	public void awaitOpened(int target, Duration bound) throws InterruptedException {
		awaitCount(this.opened, target, bound);
	}

	/**
	 * Wait for a number of connections to have closed.
	 * @param target the number
	 * @param bound how long to wait at most
	 * @throws InterruptedException if interrupted
	 */
	public void awaitClosed(int target, Duration bound) throws InterruptedException {
		awaitCount(this.closed, target, bound);
	}

	/**
	 * Wait for a count to reach a number, failing the test after a bound.
	 * @param count the count
	 * @param target the number
	 * @param bound how long to wait at most
	 * @throws InterruptedException if interrupted
	 */
	public static void awaitCount(AtomicInteger count, int target, Duration bound) throws InterruptedException {
		long deadline = System.nanoTime() + bound.toNanos();
		while (count.get() < target) {
			assertThat(System.nanoTime()).as("count " + count.get() + " reaching " + target + " within " + bound)
				.isLessThan(deadline);
			Thread.sleep(5);
		}
	}

}
