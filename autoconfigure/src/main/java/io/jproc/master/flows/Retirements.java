package io.jproc.master.flows;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.jproc.JprocProperties;
import io.jproc.ipc.Message;
import io.jproc.master.pool.Replacement;
import io.jproc.master.pool.RetirementSlots;
import io.jproc.master.process.Durations;
import io.jproc.master.process.Exit;
import io.jproc.master.process.PosixSignal;
import io.jproc.master.process.WorkerHandle;
import io.jproc.master.process.WorkerState;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Suicide-first respawn, the master's half: a worker that asks to retire, or that goes
 * silent, is replaced before it leaves. Urgent retirements (fatal error, broken liveness)
 * are replaced at once and count toward the slot's restart-storm limit; planned ones
 * (recycling, the application's request) take turns, at most
 * {@code jproc.recycle.max-parallel} at a time, and keep their worker serving until its
 * replacement is ready or {@code jproc.replace-timeout} passes. It never starts a worker:
 * it tells the worker's slot that it wants one, and the pool's reconciling step starts it
 * (or reuses the one already on its way). Owned by the arbiter thread; it acts on the
 * pool through {@link RetirementSlots}.
 */
public final class Retirements {

	private static final Log logger = LogFactory.getLog(Retirements.class);

	private final JprocProperties properties;

	private final RetirementSlots slots;

	private final Map<WorkerHandle, Retirement> byWorker = new LinkedHashMap<>();

	public Retirements(JprocProperties properties, RetirementSlots slots) {
		this.properties = properties;
		this.slots = slots;
	}

	/**
	 * A worker asked to retire.
	 * @param worker the worker
	 * @param retire its request
	 * @param now the time
	 */
	public void onRetire(WorkerHandle worker, Message.Retire retire, Instant now) {
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
		worker.killAt(now.plus(this.properties.workerKillDeadline()));
		WorkerHandle coming = this.slots.replaceNow(worker, Replacement.FATAL, now);
		if (!retirement.isStarted()) {
			retirement.started(now, coming, null);
		}
	}

	/**
	 * A worker was started: it is the replacement of the started retirements of its slot
	 * that have none yet.
	 * @param started the new worker
	 */
	public void onSpawned(WorkerHandle started) {
		for (Retirement retirement : this.byWorker.values()) {
			if (isSuccessor(started, retirement) && retirement.isStarted() && retirement.replacement() == null) {
				retirement.replacement(started);
			}
		}
	}

	private static boolean isSuccessor(WorkerHandle candidate, Retirement retirement) {
		WorkerHandle old = retirement.worker();
		return candidate != old && !old.isSpare() && candidate.id() == old.id()
				&& candidate.placement() > old.placement();
	}

	/**
	 * A worker became ready and took its slot over: if it replaces a retiring worker,
	 * that one may now drain.
	 * @param ready the worker that is ready
	 * @param now the time
	 */
	public void onReady(WorkerHandle ready, Instant now) {
		for (Retirement retirement : List.copyOf(this.byWorker.values())) {
			WorkerHandle old = retirement.worker();
			if (isSuccessor(ready, retirement) && retirement.isStarted() && retirement.awaitsReplacement()) {
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
	public void onDrained(WorkerHandle worker, long unfinished, Instant now) {
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
	public @Nullable String onExited(WorkerHandle worker, Exit exit, Instant now) {
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
		if (!retirement.isComplete(this.slots.noneComing(retirement.worker())) && !overdue) {
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
	public void tick(List<WorkerHandle> live, Instant now, boolean running) {
		for (Retirement retirement : List.copyOf(this.byWorker.values())) {
			WorkerHandle worker = retirement.worker();
			if (retirement.hasExited()) {
				logIfComplete(retirement, now);
				continue;
			}
			if (retirement.deadline() != null && now.isAfter(retirement.deadline())
					&& worker.state() == WorkerState.RETIRING) {
				logger.warn(worker + ": its replacement was not ready within jproc.replace-timeout ("
						+ Durations.seconds(this.properties.getReplaceTimeout()) + "); it drains anyway");
				retirement.replaceTimedOut();
				release(retirement, -1, now);
			}
			if (retirement.termAt() != null && !now.isBefore(retirement.termAt())) {
				retirement.termAt(null);
				this.slots.signal(worker.pid(), PosixSignal.TERM);
				worker.killAt(now.plus(PosixSignal.KILL_GRACE));
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
	 * The pool killed a worker past its deadline: its retirement's line says so.
	 * @param worker the worker
	 * @param now the time
	 */
	public void onKilled(WorkerHandle worker, Instant now) {
		Retirement retirement = this.byWorker.get(worker);
		if (retirement != null) {
			retirement.killed(now);
		}
	}

	/**
	 * The pool is shutting down: planned retirements that have not started never will.
	 */
	public void dropWaiting() {
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
		// A worker that reads nothing of its channel past the write deadline is hung too.
		Duration unread = worker.channel().stalled();
		boolean heartbeatMissed = silent.compareTo(this.properties.getHeartbeat().getTimeout()) > 0;
		if (!heartbeatMissed && unread == null) {
			return;
		}
		String why = heartbeatMissed ? "hung: no heartbeat for " + Durations.seconds(silent)
				: "hung: its channel not read for " + Durations.seconds(unread);
		Retirement retirement = this.byWorker.get(worker);
		if (retirement == null) {
			retirement = new Retirement(worker, Retirement.Kind.HUNG, why, now);
			this.byWorker.put(worker, retirement);
		}
		else if (!retirement.escalate(Retirement.Kind.HUNG, why)) {
			return;
		}
		logger.warn(worker + " is hung (" + (heartbeatMissed ? "no heartbeat" : "its channel not read") + " for "
				+ Durations.seconds(heartbeatMissed ? silent : unread) + ", jproc.heartbeat.timeout="
				+ Durations.seconds(this.properties.getHeartbeat().getTimeout()) + "): replacing it; its thread dump "
				+ "(SIGQUIT) follows in its output, then SIGTERM");
		worker.leaving(why);
		worker.moveTo(WorkerState.DRAINING);
		worker.killAt(null);
		WorkerHandle coming = this.slots.replaceNow(worker, Replacement.HUNG, now);
		if (!retirement.isStarted()) {
			retirement.started(now, coming, null);
		}
		this.slots.signal(worker.pid(), PosixSignal.QUIT);
		// A stopped process keeps SIGQUIT pending until it runs again: let it write the
		// dump.
		this.slots.signal(worker.pid(), PosixSignal.CONT);
		retirement.termAt(now.plus(PosixSignal.DUMP_WAIT));
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
				retirement.started(now, this.slots.replaceLater(worker), now.plus(this.properties.getReplaceTimeout()));
				running++;
			}
		}
	}

	private void release(Retirement retirement, long replacementPid, Instant now) {
		WorkerHandle worker = retirement.worker();
		this.slots.leave(worker);
		worker.moveTo(WorkerState.DRAINING);
		retirement.drainStarted(now);
		worker.killAt(now.plus(this.properties.workerKillDeadline()));
		if (!worker.channel().send(new Message.ReplacementReady(replacementPid))) {
			this.slots.signal(worker.pid(), PosixSignal.TERM);
		}
	}

}
