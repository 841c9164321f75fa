package io.jproc.worker;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicBoolean;

import io.jproc.JprocProperties;
import io.jproc.WorkerEnvironment;
import io.jproc.ipc.Message;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Whether this worker takes traffic, and when it starts to: it tells the master
 * {@link Message.Ready} once the application is ready (after the warm-up, if any, handed
 * to {@link WorkerWarmup}), keeps a spare's server {@link WorkerServer#isHeld() held}
 * until the master gives it a slot ({@link Message.TakeSlot}), and keeps Boot's
 * {@link ReadinessState} in step. It also records that the worker has begun to leave
 * ({@link #beginLeaving()}, called by {@link WorkerDeparture}): from then on no slot is
 * taken and no accepting starts.
 * <p>
 * One lock orders every readiness change, whatever the threads: a spare's
 * {@code REFUSING_TRAFFIC} after Boot's {@code ACCEPTING_TRAFFIC},
 * {@code ACCEPTING_TRAFFIC} when it takes a slot, {@code REFUSING_TRAFFIC} when leaving.
 */
final class WorkerReadiness implements ApplicationListener<ApplicationReadyEvent> {

	private static final Log logger = LogFactory.getLog(WorkerReadiness.class);

	private final WorkerIdentity identity;

	private final MasterLink link;

	private final WorkerServer server;

	private final JprocProperties.Warmup warmupConfig;

	private final WorkerWarmup warmup;

	private final ConfigurableApplicationContext context;

	private final AtomicBoolean leaving = new AtomicBoolean();

	private final AtomicBoolean readyEventSeen = new AtomicBoolean();

	private volatile boolean ready;

	/** Orders this worker's readiness changes, see the class comment. */
	private final Object lock = new Object();

	/** Whether Boot has published its own {@code ACCEPTING_TRAFFIC}; under the lock. */
	private boolean bootReadinessPublished;

	WorkerReadiness(WorkerIdentity identity, MasterLink link, WorkerServer server, JprocProperties.Warmup warmup,
			ConfigurableApplicationContext context) {
		this.identity = identity;
		this.link = link;
		this.server = server;
		this.warmupConfig = warmup;
		this.warmup = new WorkerWarmup(warmup);
		this.context = context;
		link.handle(Message.TakeSlot.class, (envelope, message) -> takeSlot(message.id()));
	}

	/**
	 * The master gave this spare a slot: become worker {@code id} and accept at once (or
	 * as soon as the server starts). Ignored, with a warning, by a worker that is not a
	 * spare, has taken a slot already, or is leaving.
	 * @param id the slot id
	 */
	void takeSlot(int id) {
		String was = this.identity.label();
		long pid = ProcessHandle.current().pid();
		// Under the lock that leaving takes before it pauses accept: either this worker
		// is leaving and takes no slot, or its start of accepting is queued on the
		// event loop before the pause.
		synchronized (this.lock) {
			if (isLeaving()) {
				logger.warn(was + ": the master gave it slot " + id + " while it is leaving; ignored");
				return;
			}
			if (!this.identity.takeSlot(id)) {
				logger.warn(was + ": the master gave it slot " + id + ", but "
						+ ((id < 1) ? "slot ids start at 1" : "it is not a spare (any more)") + "; ignored");
				return;
			}
			this.server.startAccepting();
			logger.info(this.identity.label() + " (was " + was + ", pid " + pid + ") takes slot " + id + ": "
					+ (this.ready ? "accepting now" : "accepting once its server has started"));
			if (this.bootReadinessPublished) {
				AvailabilityChangeEvent.publish(this.context, ReadinessState.ACCEPTING_TRAFFIC);
			}
		}
	}

	/**
	 * Boot has published {@code ACCEPTING_TRAFFIC} (after {@link ApplicationReadyEvent}):
	 * a spare still without a slot takes no connection and says so with
	 * {@code REFUSING_TRAFFIC}. Called by {@link WorkerReadinessRunListener}, which runs
	 * after Boot's own run listener.
	 * @param context the context Boot made ready
	 */
	void bootReadinessPublished(ConfigurableApplicationContext context) {
		if (context != this.context) {
			return;
		}
		synchronized (this.lock) {
			this.bootReadinessPublished = true;
			if ((this.identity.isSpare() || this.server.isHeld()) && !isLeaving()) {
				// A spare without a slot, or a worker still warming up: no connection
				// yet.
				AvailabilityChangeEvent.publish(this.context, ReadinessState.REFUSING_TRAFFIC);
			}
		}
	}

	@Override
	public void onApplicationEvent(ApplicationReadyEvent event) {
		if (event.getApplicationContext() != this.context || !this.readyEventSeen.compareAndSet(false, true)) {
			return;
		}
		WorkerServer.Loopback loopback = this.warmup.isEnabled() ? this.server.loopback(this.context) : null;
		if (loopback == null) {
			reportReady();
			return;
		}
		Thread warming = new Thread(() -> {
			warmUp(loopback);
			reportReady();
		}, "jproc-warmup");
		warming.start();
	}

	/**
	 * Warm the JIT up through the application's request handling on a private port
	 * ({@code jproc.warmup.*}); a spare that takes a slot meanwhile, or a worker asked to
	 * leave, stops early.
	 * @param loopback the application's request handling
	 */
	private void warmUp(WorkerServer.Loopback loopback) {
		boolean spare = this.identity.isSpare();
		try {
			WorkerWarmup.Result result = this.warmup.run(loopback,
					() -> isLeaving() || (spare && !this.identity.isSpare()));
			logger.info(this.identity.label() + " warmed up: " + result.answered() + " requests to "
					+ this.warmupConfig.getPaths() + " in " + result.took().toMillis() + " ms"
					+ ((result.failed() > 0) ? " (" + result.failed() + " failed)" : ""));
		}
		catch (RuntimeException ex) {
			logger.warn(this.identity.label() + ": warm-up failed, reporting ready without it: " + ex.getMessage());
		}
	}

	/**
	 * Tell the master this worker is ready; a worker that held its sockets for its
	 * warm-up (not a spare, which waits for its slot) accepts from now on.
	 */
	private void reportReady() {
		synchronized (this.lock) {
			if (!this.identity.isSpare() && this.server.isHeld() && !isLeaving()) {
				this.server.startAccepting();
				if (this.bootReadinessPublished) {
					AvailabilityChangeEvent.publish(this.context, ReadinessState.ACCEPTING_TRAFFIC);
				}
			}
			this.ready = true;
		}
		long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
		this.link.send(new Message.Ready(ProcessHandle.current().pid(), uptime,
				BootCacheCheck.used(WorkerEnvironment.current().bootCache())));
	}

	/**
	 * Whether the application has reported ready to the master.
	 * @return {@code true} once ready
	 */
	boolean isReady() {
		return this.ready;
	}

	/**
	 * Whether this worker is on its way out.
	 * @return {@code true} once leaving has begun
	 */
	boolean isLeaving() {
		return this.leaving.get();
	}

	/**
	 * This worker begins to leave: from now on it takes no slot and starts no accepting.
	 * @return whether this call began it ({@code false} if it had begun already)
	 */
	boolean beginLeaving() {
		return this.leaving.compareAndSet(false, true);
	}

	/**
	 * Tell readiness probes that this worker takes no more traffic (it is leaving); the
	 * pool's own health is the master's to tell. Ordered with every other readiness
	 * change: a slot taken before it has had its accepting queued before the pause that
	 * follows.
	 */
	void refuseTraffic() {
		synchronized (this.lock) {
			AvailabilityChangeEvent.publish(this.context, ReadinessState.REFUSING_TRAFFIC);
		}
	}

}
