package io.jproc.master;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.jproc.JprocProperties;
import io.jproc.ipc.Message;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Suicide-first respawn, the master's half: a worker that asks to retire, or that goes
 * silent, is replaced before it leaves. Urgent retirements (fatal error, broken liveness)
 * are replaced at once and count toward the slot's restart-storm limit; planned ones
 * (recycling, the application's request) take turns, at most
 * {@code jproc.recycle.max-parallel} at a time, and keep their worker serving until its
 * replacement is ready or {@code jproc.replace-timeout} passes. Owned by the arbiter
 * thread; it acts on the pool through {@link Pool}.
 */
final class Retirements {

	private static final Log logger = LogFactory.getLog(Retirements.class);

	static final int SIGQUIT = 3;

	static final int SIGKILL = 9;

	static final int SIGTERM = 15;

	static final int SIGCONT = 18;

	/** Between SIGQUIT and SIGTERM: time for the JVM to write its thread dump. */
	static final Duration DUMP_WAIT = Duration.ofSeconds(1);

	/** After a drain deadline or SIGTERM, before SIGKILL. */
	static final Duration KILL_GRACE = Duration.ofSeconds(5);

	private final JprocProperties properties;

	private final Pool pool;

	private final Map<WorkerHandle, Retirement> byWorker = new LinkedHashMap<>();

	Retirements(JprocProperties properties, Pool pool) {
		this.properties = properties;
		this.pool = pool;
	}

	/**
	 * A worker asked to retire.
	 * @param worker the worker
	 * @param retire its request
	 * @param now the time
	 */
	void onRetire(WorkerHandle worker, Message.Retire retire, Instant now) {
		if (worker.state() == WorkerState.EXITED) {
			return;
		}
		Retirement known = this.byWorker.get(worker);
		if (retire.urgent()) {
			retireUrgently(worker, known, retire.reason(), now);
		}
		else if (known == null && !worker.isLeaving()) {
			this.byWorker.put(worker, new Retirement(worker, Retirement.Kind.PLANNED, retire.reason(), now));
			startWaiting(now);
		}
	}

	private void retireUrgently(WorkerHandle worker, @Nullable Retirement known, String reason, Instant now) {
		Retirement retirement = known;
		if (retirement == null) {
			retirement = new Retirement(worker, Retirement.Kind.URGENT, reason, now);
			this.byWorker.put(worker, retirement);
		}
		else if (!retirement.escalate(Retirement.Kind.URGENT, reason)) {
			return;
		}
		// The worker stopped accepting by itself; it drains while its replacement boots.
		worker.leaving(reason);
		worker.moveTo(WorkerState.DRAINING);
		retirement.drainStarted(now);
		worker.killAt(now.plus(this.properties.getDrainTimeout()).plus(KILL_GRACE));
		if (!retirement.isStarted()) {
			retirement.started(now, this.pool.replace(worker, true, now), null);
		}
	}

	/**
	 * A worker became ready: if it replaces a retiring worker, that one may now drain.
	 * @param ready the worker that is ready
	 * @param now the time
	 */
	void onReady(WorkerHandle ready, Instant now) {
		for (Retirement retirement : List.copyOf(this.byWorker.values())) {
			WorkerHandle old = retirement.worker();
			if (old != ready && old.id() == ready.id() && retirement.isStarted() && retirement.awaitsReplacement()) {
				retirement.replacementReady(ready, now);
				if (old.state() == WorkerState.RETIRING) {
					release(retirement, ready.pid(), now);
				}
				logIfComplete(retirement, now);
			}
		}
		startWaiting(now);
	}

	/**
	 * A retiring worker reported the end of its drain.
	 * @param worker the worker
	 * @param unfinished requests its drain deadline cut off
	 * @param now the time
	 */
	void onDrained(WorkerHandle worker, long unfinished, Instant now) {
		Retirement retirement = this.byWorker.get(worker);
		if (retirement != null) {
			retirement.drained(unfinished, now);
		}
	}

	/**
	 * A worker ended. Its retirement's line is logged once its replacement is ready too.
	 * @param worker the worker
	 * @param exit how
	 * @param now the time
	 * @return the reason of its retirement if one was under way (its replacement is then
	 * taken care of), {@code null} if the exit is the arbiter's to judge and log
	 */
	@Nullable String onExited(WorkerHandle worker, Exit exit, Instant now) {
		Retirement retirement = this.byWorker.get(worker);
		if (retirement == null || !retirement.isStarted()) {
			this.byWorker.remove(worker);
			startWaiting(now);
			return null;
		}
		retirement.exited(exit, now);
		logIfComplete(retirement, now);
		startWaiting(now);
		return retirement.reason();
	}

	private void logIfComplete(Retirement retirement, Instant now) {
		boolean overdue = retirement.hasExited()
				&& now.isAfter(retirement.exitedAt().plus(this.properties.getWorker().getBootTimeout()));
		if (!retirement.isComplete(this.pool.isGivenUp(retirement.worker())) && !overdue) {
			return;
		}
		this.byWorker.remove(retirement.worker());
		if (retirement.exitedCleanly() && retirement.kind() != Retirement.Kind.HUNG) {
			logger.info(retirement.summary());
		}
		else {
			logger.warn(retirement.summary());
		}
	}

	/**
	 * Deadlines: replace-timeout, SIGTERM after a thread dump, SIGKILL after a drain
	 * deadline; then, while the pool runs, hung workers and planned retirements waiting
	 * for their turn.
	 * @param live the live workers
	 * @param now the time
	 * @param running whether the pool is running (not shutting down)
	 */
	void tick(List<WorkerHandle> live, Instant now, boolean running) {
		for (Retirement retirement : List.copyOf(this.byWorker.values())) {
			WorkerHandle worker = retirement.worker();
			if (retirement.hasExited()) {
				logIfComplete(retirement, now);
				continue;
			}
			if (retirement.deadline() != null && now.isAfter(retirement.deadline())
					&& worker.state() == WorkerState.RETIRING) {
				logger.warn(worker + ": its replacement was not ready within jproc.replace-timeout ("
						+ Arbiter.seconds(this.properties.getReplaceTimeout()) + "); it drains anyway");
				retirement.replaceTimedOut();
				release(retirement, -1, now);
			}
			if (retirement.termAt() != null && !now.isBefore(retirement.termAt())) {
				retirement.termAt(null);
				this.pool.signal(worker.pid(), SIGTERM);
				worker.killAt(now.plus(KILL_GRACE));
			}
			if (worker.killAt() != null && now.isAfter(worker.killAt())) {
				worker.killAt(null);
				retirement.killed(now);
				this.pool.signal(worker.pid(), SIGKILL);
			}
		}
		if (running) {
			for (WorkerHandle worker : live) {
				checkHeartbeat(worker, now);
			}
			startWaiting(now);
		}
	}

	/**
	 * The pool is shutting down: planned retirements that have not started never will.
	 */
	void dropWaiting() {
		this.byWorker.values().removeIf((retirement) -> !retirement.isStarted());
	}

	@Nullable Retirement of(WorkerHandle worker) {
		return this.byWorker.get(worker);
	}

	private void checkHeartbeat(WorkerHandle worker, Instant now) {
		if (!worker.state().isServing() || worker.lastHeartbeat() == null) {
			return;
		}
		Duration silent = Duration.between(worker.lastHeartbeat(), now);
		if (silent.compareTo(this.properties.getHeartbeat().getTimeout()) <= 0) {
			return;
		}
		String why = "hung: no heartbeat for " + Arbiter.seconds(silent);
		Retirement retirement = this.byWorker.get(worker);
		if (retirement == null) {
			retirement = new Retirement(worker, Retirement.Kind.HUNG, why, now);
			this.byWorker.put(worker, retirement);
		}
		else if (!retirement.escalate(Retirement.Kind.HUNG, why)) {
			return;
		}
		logger.warn(worker + " is hung (no heartbeat for " + Arbiter.seconds(silent) + ", jproc.heartbeat.timeout="
				+ Arbiter.seconds(this.properties.getHeartbeat().getTimeout()) + "): replacing it; its thread dump "
				+ "(SIGQUIT) follows in its output, then SIGTERM");
		worker.leaving(why);
		worker.moveTo(WorkerState.DRAINING);
		worker.killAt(null);
		if (!retirement.isStarted()) {
			retirement.started(now, this.pool.replace(worker, true, now), null);
		}
		this.pool.signal(worker.pid(), SIGQUIT);
		// A stopped process keeps SIGQUIT pending until it runs again: let it write the dump.
		this.pool.signal(worker.pid(), SIGCONT);
		retirement.termAt(now.plus(DUMP_WAIT));
	}

	private void startWaiting(Instant now) {
		int maxParallel = this.properties.getRecycle().getMaxParallel();
		long running = this.byWorker.values()
			.stream()
			.filter((retirement) -> retirement.worker().state() == WorkerState.RETIRING)
			.count();
		for (Retirement retirement : List.copyOf(this.byWorker.values())) {
			if (running >= maxParallel) {
				return;
			}
			WorkerHandle worker = retirement.worker();
			if (!retirement.isStarted() && worker.state() == WorkerState.READY) {
				worker.leaving(retirement.reason());
				worker.moveTo(WorkerState.RETIRING);
				retirement.started(now, this.pool.replace(worker, false, now),
						now.plus(this.properties.getReplaceTimeout()));
				running++;
			}
		}
	}

	private void release(Retirement retirement, long replacementPid, Instant now) {
		WorkerHandle worker = retirement.worker();
		worker.moveTo(WorkerState.DRAINING);
		retirement.drainStarted(now);
		worker.killAt(now.plus(this.properties.getDrainTimeout()).plus(KILL_GRACE));
		if (!worker.channel().send(new Message.ReplacementReady(replacementPid))) {
			this.pool.signal(worker.pid(), SIGTERM);
		}
	}

	/**
	 * What retirements need from the pool.
	 */
	interface Pool {

		/**
		 * Start a replacement in the slot of a worker that is leaving.
		 * @param leaving the worker
		 * @param failure whether this counts toward the slot's restart-storm limit
		 * @param now the time
		 * @return the replacement, {@code null} if it was delayed (backoff), the slot was
		 * given up, or the slot already has a newer worker
		 */
		@Nullable WorkerHandle replace(WorkerHandle leaving, boolean failure, Instant now);

		/**
		 * Whether the worker's slot was given up: no replacement is coming.
		 * @param worker the worker
		 * @return {@code true} once the slot is given up
		 */
		boolean isGivenUp(WorkerHandle worker);

		/**
		 * Send a signal to a worker process.
		 * @param pid the process
		 * @param signal the number
		 */
		void signal(long pid, int signal);

	}

}
