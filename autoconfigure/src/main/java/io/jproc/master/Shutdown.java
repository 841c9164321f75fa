package io.jproc.master;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.jproc.ExitCodes;
import io.jproc.JprocProperties;
import io.jproc.master.flows.PoolCommands;
import io.jproc.master.flows.Retirements;
import io.jproc.master.launch.ListenSocket;
import io.jproc.master.pool.Pool;
import io.jproc.master.pool.WorkerFactory;
import io.jproc.master.process.Durations;
import io.jproc.master.process.PosixSignal;
import io.jproc.master.process.WorkerHandle;
import io.jproc.master.process.WorkerState;
import io.jproc.master.systemd.PoolLifecycle;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The master's way out (SIGTERM, SIGINT, every slot given up): nothing is started any
 * more, the running operation fails, waiting planned retirements are dropped, every
 * listening socket is closed and every worker not already draining is asked to stop; past
 * {@code jproc.shutdown-timeout} the rest are killed. Loop thread only.
 */
final class Shutdown {

	private static final Log logger = LogFactory.getLog(Shutdown.class);

	private final JprocProperties properties;

	private final Pool pool;

	private final WorkerFactory workers;

	private final Retirements retirements;

	private final PoolCommands commands;

	private final PoolLifecycle lifecycle;

	private final List<ListenSocket> sockets;

	private final Clock clock;

	private @Nullable Instant startedAt;

	private @Nullable Instant deadline;

	private @Nullable Instant hardDeadline;

	private int exitCodeWhenDone = ExitCodes.OK;

	private @Nullable Integer exitCode;

	Shutdown(JprocProperties properties, Pool pool, WorkerFactory workers, Retirements retirements,
			PoolCommands commands, PoolLifecycle lifecycle, List<ListenSocket> sockets, Clock clock) {
		this.properties = properties;
		this.pool = pool;
		this.workers = workers;
		this.retirements = retirements;
		this.commands = commands;
		this.lifecycle = lifecycle;
		this.sockets = sockets;
		this.clock = clock;
	}

	/**
	 * Whether the shutdown has begun.
	 * @return {@code true} once it has
	 */
	boolean begun() {
		return this.startedAt != null;
	}

	/**
	 * The master's exit code once it is done.
	 * @return the code, {@code null} while the master runs
	 */
	@Nullable Integer exitCode() {
		return this.exitCode;
	}

	/**
	 * Begin the shutdown, once; later calls do nothing.
	 * @param why what the log line says
	 * @param code the exit code the master ends with when every worker has gone
	 * @param now the time
	 */
	void begin(String why, int code, Instant now) {
		if (begun()) {
			return;
		}
		this.exitCodeWhenDone = code;
		this.workers.close(); // no boot cache training run outlives the pool
		this.startedAt = now;
		this.deadline = now.plus(this.properties.getShutdownTimeout());
		logger.info("shutdown begun (" + why + "): draining " + this.pool.live().size() + " workers, at most "
				+ Durations.seconds(this.properties.getShutdownTimeout()));
		this.retirements.dropWaiting();
		this.commands.abandon(now);
		// Every process closes its copy of the listening sockets: new connections are
		// refused at once instead of accepted and reset (under socket activation systemd
		// keeps its own).
		this.lifecycle.shutdownBegun(this.pool.live(), why);
		for (WorkerHandle worker : List.copyOf(this.pool.live())) {
			if (worker.state() != WorkerState.DRAINING) {
				this.pool.stop(worker, "shutdown", null);
			}
			else {
				// Already draining (retired, replaced): its own deadline still holds.
				this.pool.leave(worker);
			}
		}
	}

	/**
	 * Check the shutdown's deadlines: done when no worker is left, SIGKILL for the rest
	 * past {@code jproc.shutdown-timeout}.
	 * @param now the time
	 */
	void tick(Instant now) {
		if (!begun() || this.exitCode != null) {
			return;
		}
		if (this.pool.live().isEmpty()) {
			finish(this.exitCodeWhenDone, now);
		}
		else if (this.hardDeadline == null && now.isAfter(this.deadline)) {
			for (WorkerHandle worker : this.pool.live()) {
				logger.warn(worker + " still running after jproc.shutdown-timeout ("
						+ Durations.seconds(this.properties.getShutdownTimeout()) + "): killed");
				this.pool.signal(worker.pid(), PosixSignal.KILL);
			}
			// The grace runs from when the kills went out, read again: a loop that ran
			// late
			// (a machine at load 30) or a slow kill must not use it up before the workers
			// had a chance to go.
			this.hardDeadline = this.clock.instant().plus(PosixSignal.KILL_GRACE);
		}
		else if (this.hardDeadline != null && now.isAfter(this.hardDeadline)) {
			logger.error(this.pool.live().size() + " workers did not go away even after SIGKILL");
			finish(this.exitCodeWhenDone, now);
		}
	}

	/**
	 * A second SIGINT: kill every worker and end now.
	 * @param now the time
	 */
	void killNow(Instant now) {
		logger.warn("second SIGINT: killing every worker now");
		this.pool.live().forEach((worker) -> this.pool.signal(worker.pid(), PosixSignal.KILL));
		finish(ExitCodes.INTERRUPTED, now);
	}

	private void finish(int code, Instant now) {
		this.workers.close();
		this.sockets.forEach(ListenSocket::close);
		if (this.startedAt != null) {
			logger.info("shutdown complete in " + Durations.seconds(Duration.between(this.startedAt, now))
					+ ", exit code " + code);
		}
		this.exitCode = code;
	}

}
