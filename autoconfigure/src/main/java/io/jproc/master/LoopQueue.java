package io.jproc.master;

import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.jproc.ipc.Envelope;
import io.jproc.ipc.Message;
import io.jproc.master.process.MasterEvent;
import io.jproc.master.process.WorkerHandle;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The loop's queue, in two lanes, taken in order of priority.
 * <p>
 * The <em>pool</em> lane holds what keeps the pool: exits (the reaper), channel closes
 * (the readers), signals (the signal handlers), the results of scrapes already taken on
 * (the scrape fan-out), and what a worker says of its own life: {@code Ready},
 * {@code Heartbeat}, {@code Retire}, {@code Drained}, {@code RevokeAck}, {@code Yield}.
 * Nothing in it is ever refused, dropped or blocked on, and it is always taken first. It
 * stays small by nature: one exit and one close per process, one reply per scrape the
 * request lane let in, a handful of life events per worker; and heartbeats are merged per
 * worker (the loop takes the latest one a worker sent, and a worker has at most one
 * waiting), so a worker that sends them as fast as it can adds one entry, not millions.
 * <p>
 * The <em>request</em> lane holds what workers ask on behalf of users: commands, pool
 * status and scrape requests, log level changes, malformed frames, and any message the
 * master does not take (answered with a failure). It holds at most {@code capacity}
 * events, and at most {@code perWorker} from one worker; past either, the event is
 * refused at once: a request is answered with a {@link Message.Failure} saying the master
 * is busy, so the asker does not wait for its timeout. A flood of requests can then
 * neither grow the master's heap nor delay a heartbeat or an exit.
 * <p>
 * Any thread may {@link #add}; only the loop {@link #poll polls}.
 */
final class LoopQueue {

	private static final Log logger = LogFactory.getLog(LoopQueue.class);

	/** Requests waiting for the loop, from all workers. */
	static final int DEFAULT_CAPACITY = 1024;

	/** Requests waiting for the loop from one worker. */
	static final int DEFAULT_PER_WORKER = 128;

	/** What a worker says of its own life: never refused. */
	private static final Set<Class<? extends Message>> LIFE = Set.of(Message.Ready.class, Message.Heartbeat.class,
			Message.Retire.class, Message.Drained.class, Message.RevokeAck.class, Message.Yield.class);

	private final int capacity;

	private final int perWorker;

	private final Queue<MasterEvent> pool = new ConcurrentLinkedQueue<>();

	private final Queue<MasterEvent> requests = new ConcurrentLinkedQueue<>();

	/** Events in both lanes; the loop waits on it. */
	private final Semaphore available = new Semaphore(0);

	/** Room left in the request lane. */
	private final Semaphore room;

	private final Map<WorkerHandle, AtomicInteger> requestsBy = new ConcurrentHashMap<>();

	/** The latest heartbeat of each worker that has one waiting in the pool lane. */
	private final Map<WorkerHandle, Envelope> heartbeats = new ConcurrentHashMap<>();

	private final AtomicLong refused = new AtomicLong();

	LoopQueue() {
		this(DEFAULT_CAPACITY, DEFAULT_PER_WORKER);
	}

	LoopQueue(int capacity, int perWorker) {
		this.capacity = capacity;
		this.perWorker = perWorker;
		this.room = new Semaphore(capacity);
	}

	/**
	 * Queue an event for the loop, or refuse a request when its lane is full. Never
	 * blocks.
	 * @param event the event
	 * @return whether it was queued (or merged with a heartbeat waiting)
	 */
	boolean add(MasterEvent event) {
		if (!isRequest(event)) {
			if (event instanceof MasterEvent.Received received
					&& received.envelope().message() instanceof Message.Heartbeat) {
				if (this.heartbeats.put(received.worker(), received.envelope()) != null) {
					// One is waiting: the loop takes this one in its place.
					return true;
				}
			}
			this.pool.add(event);
			this.available.release();
			return true;
		}
		WorkerHandle worker = workerOf(event);
		AtomicInteger mine = this.requestsBy.computeIfAbsent(worker, (key) -> new AtomicInteger());
		if (mine.incrementAndGet() > this.perWorker) {
			mine.decrementAndGet();
			refuse(event, worker, "it has " + this.perWorker + " requests waiting");
			return false;
		}
		if (!this.room.tryAcquire()) {
			mine.decrementAndGet();
			refuse(event, worker, "its queue holds " + this.capacity + " requests");
			return false;
		}
		this.requests.add(event);
		this.available.release();
		return true;
	}

	/**
	 * Take the next event: from the pool lane first.
	 * @param timeout how long to wait for one
	 * @param unit its unit
	 * @return the event, {@code null} when none came in time
	 * @throws InterruptedException if interrupted while waiting
	 */
	@Nullable MasterEvent poll(long timeout, TimeUnit unit) throws InterruptedException {
		if (!this.available.tryAcquire(timeout, unit)) {
			return null;
		}
		return next();
	}

	/**
	 * Take the next event without waiting.
	 * @return the event, {@code null} when none waits
	 */
	@Nullable MasterEvent poll() {
		return this.available.tryAcquire() ? next() : null;
	}

	private MasterEvent next() {
		MasterEvent event = this.pool.poll();
		if (event != null) {
			if (event instanceof MasterEvent.Received received
					&& received.envelope().message() instanceof Message.Heartbeat) {
				Envelope latest = this.heartbeats.remove(received.worker());
				return (latest != null) ? new MasterEvent.Received(received.worker(), latest) : event;
			}
			return event;
		}
		event = this.requests.remove();
		this.room.release();
		AtomicInteger mine = this.requestsBy.get(workerOf(event));
		if (mine != null && mine.decrementAndGet() <= 0) {
			this.requestsBy.remove(workerOf(event), mine);
		}
		return event;
	}

	/**
	 * Events waiting, both lanes.
	 * @return the count
	 */
	int size() {
		return this.available.availablePermits();
	}

	/**
	 * Requests refused because their lane was full, since the master started.
	 * @return the count
	 */
	long refused() {
		return this.refused.get();
	}

	private void refuse(MasterEvent event, WorkerHandle worker, String why) {
		long count = this.refused.incrementAndGet();
		String what = (event instanceof MasterEvent.Received received)
				? received.envelope().message().getClass().getSimpleName() : "malformed frame";
		if (Long.bitCount(count) == 1) {
			logger.warn("jproc master: busy, " + what + " from " + worker + " refused: " + why + " (" + count
					+ " refused so far)");
		}
		long seq = (event instanceof MasterEvent.Received received) ? received.envelope().seq()
				: ((MasterEvent.Malformed) event).error().seq();
		if (seq > 0) {
			worker.channel().reply(seq, new Message.Failure("the master is busy (" + why + "); try again in a moment"));
		}
	}

	/**
	 * Whether an event goes to the bounded request lane.
	 * @param event the event
	 * @return {@code true} for what a worker asks on behalf of a user, and malformed
	 * frames that do not close the channel
	 */
	static boolean isRequest(MasterEvent event) {
		if (event instanceof MasterEvent.Received received) {
			return !LIFE.contains(received.envelope().message().getClass());
		}
		return event instanceof MasterEvent.Malformed malformed && !malformed.error().isFatal();
	}

	private static WorkerHandle workerOf(MasterEvent event) {
		return (event instanceof MasterEvent.Received received) ? received.worker()
				: ((MasterEvent.Malformed) event).worker();
	}

}
