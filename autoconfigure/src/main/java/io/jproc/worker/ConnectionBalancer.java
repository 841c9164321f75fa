package io.jproc.worker;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;

import io.jproc.ipc.Scoreboard;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;

/**
 * Spreads connections over the pool (issue 23): counts this worker's open application
 * connections as its {@link WorkerServer} reports them, publishes the count on the
 * {@link Scoreboard}, and stops or resumes accepting by the {@link ConnectionBalance}
 * rule: on every new connection (so a burst is spread as it comes) and every
 * {@link #TICK} (so a stopped worker sees the others' connections close, and a worker
 * that stopped or died, whose slot goes stale).
 */
final class ConnectionBalancer implements WorkerServer.ConnectionCounter, DisposableBean {

	private static final Log logger = LogFactory.getLog(ConnectionBalancer.class);

	/** How often the slot is refreshed and a stopped worker looks again. */
	static final Duration TICK = Duration.ofMillis(10);

	/** How long a process found alive (or gone) is taken to stay so. */
	static final long LIVENESS_MILLIS = 50;

	private final Scoreboard board;

	private final Scoreboard.Slot slot;

	private final ConnectionBalance rule;

	private final WorkerServer server;

	private final BooleanSupplier serving;

	private final LongSupplier clock;

	private final LongPredicate processAlive;

	private final AtomicLong connections = new AtomicLong();

	/** Guards the decision and {@link #paused}. */
	private final Object decision = new Object();

	private boolean paused;

	/** pid to {time checked, 1 if alive}; guarded by {@link #decision}. */
	private final Map<Long, long[]> liveness = new HashMap<>();

	private long pauses;

	private long lockMisses;

	private @Nullable ScheduledExecutorService ticker;

	/**
	 * Create a balancer.
	 * @param board the shared board
	 * @param slot this worker's slot on it
	 * @param rule the rule
	 * @param server this worker's server, which reports connections and stops accepting
	 * @param serving whether this worker serves (not held, not leaving)
	 * @param clock milliseconds since the epoch, shared by every process
	 */
	ConnectionBalancer(Scoreboard board, Scoreboard.Slot slot, ConnectionBalance rule, WorkerServer server,
			BooleanSupplier serving, LongSupplier clock) {
		this(board, slot, rule, server, serving, clock,
				(pid) -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
	}

	/**
	 * Create a balancer that asks another way whether a process is alive.
	 * @param board the shared board
	 * @param slot this worker's slot on it
	 * @param rule the rule
	 * @param server this worker's server
	 * @param serving whether this worker serves
	 * @param clock milliseconds since the epoch, shared by every process
	 * @param processAlive whether the process of a pid is alive
	 */
	ConnectionBalancer(Scoreboard board, Scoreboard.Slot slot, ConnectionBalance rule, WorkerServer server,
			BooleanSupplier serving, LongSupplier clock, LongPredicate processAlive) {
		this.processAlive = processAlive;
		this.board = board;
		this.slot = slot;
		this.rule = rule;
		this.server = server;
		this.serving = serving;
		this.clock = clock;
	}

	/**
	 * Start counting and balancing.
	 * @return this balancer
	 */
	ConnectionBalancer start() {
		this.server.countConnections(this);
		ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "jproc-balance");
			thread.setDaemon(true);
			return thread;
		});
		executor.scheduleWithFixedDelay(this::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
		this.ticker = executor;
		return this;
	}

	@Override
	public void opened() {
		this.connections.incrementAndGet();
		balance();
	}

	@Override
	public void closed() {
		this.connections.decrementAndGet();
		// A stopped worker whose short requests end accepts again at once, not at the
		// next tick.
		balance();
	}

	long connections() {
		return this.connections.get();
	}

	boolean isPaused() {
		synchronized (this.decision) {
			return this.paused;
		}
	}

	/**
	 * Publish and decide. Called on the ticker and on the thread that accepted.
	 */
	void balance() {
		try {
			synchronized (this.decision) {
				long now = this.clock.getAsLong();
				long own = this.connections.get();
				if (!this.serving.getAsBoolean()) {
					this.paused = false;
					this.slot.publish(own, Scoreboard.State.OUT, now);
					return;
				}
				if (this.paused) {
					// A worker killed while it accepted keeps its slot fresh-looking for
					// up
					// to a second: a stopped worker does not count on a process that is
					// gone.
					List<Scoreboard.Entry> others = this.board.others(this.slot, now)
						.stream()
						.filter((other) -> other.state() != Scoreboard.State.ACCEPTING || isAlive(other.pid(), now))
						.toList();
					if (this.rule.shouldResume(own, others)) {
						this.paused = false;
						this.slot.publish(own, Scoreboard.State.ACCEPTING, now);
						this.server.balanceAccepting(true);
						return;
					}
					this.slot.publish(own, Scoreboard.State.PAUSED, now);
					return;
				}
				long pid = this.slot.pid();
				if (!this.board.tryLock(pid, Scoreboard.LOCK_WAIT_NANOS)) {
					// Another worker holds the lock and is frozen, or preempted: keep
					// accepting rather than wait on it, and decide at the next accept or
					// tick.
					this.lockMisses++;
					this.slot.publish(own, Scoreboard.State.ACCEPTING, now);
					return;
				}
				try {
					if (this.rule.shouldPause(own, this.board.others(this.slot, now))) {
						this.paused = true;
						this.pauses++;
						this.slot.publish(own, Scoreboard.State.PAUSED, now);
						this.server.balanceAccepting(false);
						return;
					}
					this.slot.publish(own, Scoreboard.State.ACCEPTING, now);
				}
				finally {
					this.board.unlock(pid);
				}
			}
		}
		catch (RuntimeException ex) {
			logger.warn("jproc: balancing connections failed; accepting", ex);
			this.server.balanceAccepting(true);
		}
	}

	/**
	 * Whether a process is alive, asked of the kernel at most once per
	 * {@link #LIVENESS_MILLIS} for each pid: a stopped worker looks again at every accept
	 * and close, on the accepting thread, and each question reads {@code /proc}. Called
	 * under {@link #decision}.
	 * @param pid the process
	 * @param now the current time in milliseconds since the epoch
	 * @return whether it was alive when last asked
	 */
	private boolean isAlive(long pid, long now) {
		long[] known = this.liveness.get(pid);
		if (known != null && now - known[0] < LIVENESS_MILLIS && now >= known[0]) {
			return known[1] != 0;
		}
		boolean alive = this.processAlive.test(pid);
		if (this.liveness.size() > 4 * Scoreboard.SLOTS) {
			this.liveness.clear();
		}
		this.liveness.put(pid, new long[] { now, alive ? 1 : 0 });
		return alive;
	}

	private void tick() {
		balance();
	}

	/**
	 * How often this worker stopped accepting to let the others catch up.
	 * @return the count
	 */
	long pauses() {
		synchronized (this.decision) {
			return this.pauses;
		}
	}

	/**
	 * How often this worker found the board's lock held for longer than
	 * {@link Scoreboard#LOCK_WAIT_NANOS} and kept accepting without deciding.
	 * @return the count
	 */
	long lockMisses() {
		synchronized (this.decision) {
			return this.lockMisses;
		}
	}

	@Override
	public void destroy() {
		ScheduledExecutorService executor = this.ticker;
		if (executor != null) {
			executor.shutdownNow();
		}
		this.slot.release();
	}

}
