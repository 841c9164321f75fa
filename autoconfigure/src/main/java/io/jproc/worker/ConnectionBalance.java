package io.jproc.worker;

import java.util.List;

import io.jproc.ipc.Scoreboard;

/**
 * The rule that spreads connections over the workers sharing the listening socket: a
 * worker far above the least loaded one stops accepting until it is back near it. Pure:
 * it sees this worker's count and what the others publish on the {@link Scoreboard}.
 * <p>
 * The pool never stops accepting: a worker stops only while another one with fewer
 * connections accepts (decided under the board's lock, so two workers cannot both stop on
 * the strength of each other), and a stopped worker accepts again as soon as no other
 * worker does.
 *
 * @param maxExcess connections a worker may hold above the least loaded one
 * ({@code jproc.balance.max-excess})
 */
record ConnectionBalance(int maxExcess) {

	/**
	 * Whether a worker that accepts should stop.
	 * @param own the connections it holds
	 * @param others what the other serving workers publish
	 * @return {@code true} to stop accepting
	 */
	boolean shouldPause(long own, List<Scoreboard.Entry> others) {
		long least = least(own, others);
		if (own <= least + allowance(least)) {
			return false;
		}
		return others.stream()
			.anyMatch((other) -> other.state() == Scoreboard.State.ACCEPTING && other.connections() < own);
	}

	/**
	 * Whether a worker that stopped accepting should accept again.
	 * @param own the connections it holds
	 * @param others what the other serving workers publish
	 * @return {@code true} to accept again
	 */
	boolean shouldResume(long own, List<Scoreboard.Entry> others) {
		if (others.stream().noneMatch((other) -> other.state() == Scoreboard.State.ACCEPTING)) {
			return true;
		}
		long least = least(own, others);
		return own <= least + allowance(least) / 2;
	}

	/**
	 * Connections above the least loaded worker that a worker may hold: the configured
	 * excess, or a tenth of the least loaded worker's count when that is more, so that a
	 * pool with thousands of connections does not stop and start on every one.
	 * @param least the least loaded worker's connections
	 * @return the allowance
	 */
	long allowance(long least) {
		return Math.max(this.maxExcess, least / 10);
	}

	private static long least(long own, List<Scoreboard.Entry> others) {
		long least = own;
		for (Scoreboard.Entry other : others) {
			least = Math.min(least, other.connections());
		}
		return least;
	}

}
