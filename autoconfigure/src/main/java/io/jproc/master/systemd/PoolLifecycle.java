package io.jproc.master.systemd;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import io.jproc.ipc.Message;
import io.jproc.ipc.Message.Command.Action;
import io.jproc.ipc.PoolStatus;
import io.jproc.master.launch.ListenSocket;
import io.jproc.master.process.WorkerHandle;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * What the world outside the pool learns of its lifecycle, and when: systemd's
 * notifications (ready, reloading, stopping, status, watchdog), the listening sockets
 * closed at the start of a shutdown, and the watch on the application's jar. The arbiter
 * calls it from its own thread at a few points (see the hooks in the arbiter); everything
 * here is derived from the pool's status, so it never decides anything about the pool
 * itself.
 */
public final class PoolLifecycle {

	/**
	 * The environment variables systemd gives the master alone (socket activation,
	 * notification, watchdog): no worker or helper process may see them.
	 */
	public static final List<String> MASTER_ONLY_VARIABLES = List.of(SocketActivation.LISTEN_PID,
			SocketActivation.LISTEN_FDS, SocketActivation.LISTEN_FDNAMES, SystemdNotifier.NOTIFY_SOCKET,
			SystemdNotifier.WATCHDOG_USEC, SystemdNotifier.WATCHDOG_PID);

	/**
	 * Hidden, for process tests only: on SIGUSR2 the arbiter thread sleeps this many
	 * milliseconds, as a stuck loop would, so that a test can see the watchdog stop.
	 */
	static final String STALL_PROPERTY = "io.jproc.test.stall-loop-on-usr2";

	private static final Log logger = LogFactory.getLog(PoolLifecycle.class);

	private final List<ListenSocket> sockets;

	private final SystemdNotifier notifier;

	private final JarWatch jarWatch;

	private boolean readyNotified;

	private @Nullable Instant reloadSeen;

	private boolean reloading;

	private boolean stopping;

	private @Nullable String lastStatus;

	private @Nullable Instant lastWatchdog;

	public PoolLifecycle(List<ListenSocket> sockets, SystemdNotifier notifier, JarWatch jarWatch) {
		this.sockets = sockets;
		this.notifier = notifier;
		this.jarWatch = jarWatch;
	}

	/**
	 * Hook: every pass of the arbiter's loop, after its own tick. Sends the watchdog
	 * keep-alive from the loop itself, so that a stuck loop stops sending it.
	 * @param status the pool as it is now
	 * @param now the time
	 */
	public void tick(PoolStatus status, Instant now) {
		watchdog(now);
		this.jarWatch.check(now);
		if (this.stopping) {
			return;
		}
		int ready = (int) status.slots().stream().filter(PoolStatus.Slot::isServing).count();
		int wanted = status.master().workersWanted();
		long givenUp = status.slots().stream().filter((slot) -> slot.state() == io.jproc.SlotState.GIVEN_UP).count();
		PoolStatus.Operation operation = status.master().operation();
		boolean reloadRunning = operation != null && operation.action() == Action.RELOAD
				&& operation.state() == PoolStatus.Operation.State.RUNNING;
		if (operation != null && operation.action() == Action.RELOAD
				&& !Objects.equals(this.reloadSeen, operation.startedAt())) {
			this.reloadSeen = operation.startedAt();
			String line = statusLine(ready, wanted, givenUp, operation);
			this.notifier.notify("RELOADING=1\nMONOTONIC_USEC=" + monotonicMicros() + "\nSTATUS=" + line);
			this.lastStatus = line;
			this.reloading = true;
			if (reloadRunning) {
				return;
			}
			// Begun and ended between two passes (a new build that cannot start fails in
			// milliseconds): READY=1 follows at once, so a waiting reload job still ends.
		}
		String line = statusLine(ready, wanted, givenUp, operation);
		// Ready once every slot serves or has given up (a degraded pool still serves), as
		// long as one worker serves. A pool whose every slot gives up is never ready: the
		// master exits 4 and systemd sees the start fail.
		boolean poolReady = ready > 0 && ready + givenUp >= wanted;
		if (this.reloading && !reloadRunning) {
			this.reloading = false;
			this.readyNotified = true;
			this.notifier.notify("READY=1\nSTATUS=" + line);
		}
		else if (!this.readyNotified && poolReady && !this.reloading) {
			this.readyNotified = true;
			this.notifier.notify("READY=1\nSTATUS=" + line);
		}
		else if (!line.equals(this.lastStatus)) {
			this.notifier.notify("STATUS=" + line);
		}
		this.lastStatus = line;
	}

	/**
	 * Hook: a pool shutdown has begun (SIGTERM, SIGINT, every slot given up). Every
	 * process closes its copy of the listening sockets now, so that new connections are
	 * refused at once while in-flight requests finish; under socket activation systemd
	 * keeps its copy and connections wait in the backlog for the next master.
	 * @param live the workers still running; each is told before it is asked to stop
	 * @param why the reason, for systemd's status
	 */
	public void shutdownBegun(List<WorkerHandle> live, String why) {
		for (WorkerHandle worker : live) {
			worker.channel().send(new Message.CloseListeners());
		}
		this.sockets.forEach(ListenSocket::close);
		this.stopping = true;
		this.notifier.notify("STOPPING=1\nSTATUS=shutting down (" + why + "): draining " + live.size() + " workers");
	}

	/**
	 * Hook: SIGUSR2 reached the arbiter. Only with the hidden {@value #STALL_PROPERTY}
	 * does it do anything: stall this thread as a stuck loop would.
	 */
	public void onUsr2() {
		Long millis = Long.getLong(STALL_PROPERTY);
		if (millis == null || millis <= 0) {
			logger.info("jproc master: SIGUSR2 ignored");
			return;
		}
		logger
			.warn("jproc master: stalling the master loop for " + millis + " ms (" + STALL_PROPERTY + ", a test hook)");
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Hook: what an operator should know about the master, for {@code /actuator/workers}.
	 * @return warnings, empty when all is well
	 */
	public List<String> warnings() {
		String jar = this.jarWatch.warning();
		return (jar != null) ? List.of(jar) : List.of();
	}

	private void watchdog(Instant now) {
		Duration interval = this.notifier.watchdogInterval();
		if (interval == null) {
			return;
		}
		if (this.lastWatchdog == null || !now.isBefore(this.lastWatchdog.plus(interval))) {
			this.lastWatchdog = now;
			this.notifier.notify("WATCHDOG=1");
		}
	}

	static String statusLine(int ready, int wanted, long givenUp, PoolStatus.@Nullable Operation operation) {
		StringBuilder line = new StringBuilder().append(ready).append('/').append(wanted).append(" workers ready");
		if (givenUp > 0) {
			line.append(", ").append(givenUp).append(" given up");
		}
		if (operation != null && operation.state() == PoolStatus.Operation.State.FAILED) {
			String message = operation.message();
			line.append("; last ")
				.append(operation.action().wireName())
				.append(" failed: ")
				.append((message.length() > 160) ? message.substring(0, 160) + "..." : message);
		}
		if (operation != null && operation.state() == PoolStatus.Operation.State.RUNNING) {
			line.append("; ")
				.append(operation.action().wireName())
				.append(" (")
				.append(operation.trigger())
				.append("): ")
				.append(operation.replaced())
				.append('/')
				.append(operation.total())
				.append(" replaced");
		}
		return line.toString();
	}

	/**
	 * {@code CLOCK_MONOTONIC} in microseconds: HotSpot's nanoTime reads that clock on
	 * Linux.
	 * @return the monotonic time in microseconds
	 */
	private static long monotonicMicros() {
		return System.nanoTime() / 1000;
	}

}
