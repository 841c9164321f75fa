package io.jproc.master;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.jproc.JprocProperties;
import io.jproc.SlotState;
import io.jproc.WorkerCount;
import io.jproc.ipc.Envelope;
import io.jproc.ipc.Message;
import io.jproc.ipc.PoolStatus;
import io.jproc.master.pool.Slot;
import io.jproc.master.pool.WorkerFactory;
import io.jproc.master.process.Exit;
import io.jproc.master.process.MasterEvent;
import io.jproc.master.process.PosixSignal;
import io.jproc.master.process.WorkerHandle;
import io.jproc.master.process.WorkerState;
import io.jproc.master.systemd.JarWatch;
import io.jproc.master.systemd.PoolLifecycle;
import io.jproc.master.systemd.SystemdNotifier;
import io.jproc.testsupport.FakeWorkers;
import io.jproc.testsupport.MutableClock;
import io.jproc.testsupport.RecordingChannel;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real {@link Arbiter} driven event by event, with a clock the test moves, a worker
 * factory that only records, and processes that exist until the test says they ended. It
 * models what a worker process does with what the master sends: a stop, a
 * replacement-ready or a signal makes it exit when the test calls {@link #settle()}.
 */
final class FakePool {

	static final Instant START = FakeWorkers.START;

	final JprocProperties properties;

	final MutableClock clock = new MutableClock(START);

	/**
	 * How long the loop takes over each SIGKILL it sends (a stalled loop, a slow kill).
	 */
	Duration killTakes = Duration.ZERO;

	final Arbiter arbiter;

	/** The loop's queue, which the tests mostly bypass by calling the loop's step. */
	final LoopQueue queue = new LoopQueue();

	/** What the readers and the reaper of the real master deliver to. */
	java.util.function.Consumer<MasterEvent> sink;

	/** Every worker ever launched, in order. */
	final List<WorkerHandle> launched = new ArrayList<>();

	/** Processes that exist: launched and not yet ended. */
	final Map<Long, WorkerHandle> alive = new LinkedHashMap<>();

	/**
	 * Priority changes asked of the factory, as "pid took-slot" or "pid booting-late".
	 */
	final List<String> priorities = new ArrayList<>();

	/** The pool size each launch was sized for, in order. */
	final List<Integer> poolSizes = new ArrayList<>();

	/** Signals sent, as "pid SIGNAL". */
	final List<String> signals = new ArrayList<>();

	boolean failLaunches;

	/** What the factory throws when asked for a worker, {@code null} for nothing. */
	Throwable launchThrows;

	/** Whether workers start from a (fake) boot cache, until one fails to boot. */
	boolean bootCacheReady;

	/** Workers started from the boot cache. */
	final java.util.Set<WorkerHandle> fromBootCache = new java.util.HashSet<>();

	/** Workers that send no heartbeat any more (as if SIGSTOPped). */
	final java.util.Set<WorkerHandle> silent = new java.util.HashSet<>();

	/** Workers that retired urgently: they drain and exit by themselves. */
	private final java.util.Set<WorkerHandle> selfDraining = new java.util.HashSet<>();

	private long nextPid = 1000;

	private long seq;

	FakePool(int workers) {
		this(workers, new JprocProperties());
	}

	FakePool(int workers, JprocProperties properties) {
		this.properties = properties;
		properties.setWorkers(WorkerCount.valueOf(workers));
		if (properties.getWorker().getMaxBooting() == null) {
			// The default follows the test machine's processors: tests that bound it say
			// so.
			properties.getWorker().setMaxBooting(WorkerCount.MAX);
		}
		this.arbiter = new Arbiter(properties, List.of(), this.queue, this.clock, (events) -> {
			this.sink = events;
			return new RecordingFactory();
		}, this::signal, START, new PoolLifecycle(List.of(), SystemdNotifier.from(Map.of(), 0), new JarWatch(null)));
		this.arbiter.start();
	}

	private WorkerHandle launch(int id, long generation, Instant now) throws IOException {
		if (this.failLaunches) {
			throw new IOException("spawn failed (test)");
		}
		if (this.launchThrows instanceof Error error) {
			throw error;
		}
		WorkerHandle worker = new WorkerHandle(id, this.nextPid++, generation, now, new RecordingChannel());
		if (this.bootCacheReady) {
			this.fromBootCache.add(worker);
		}
		this.launched.add(worker);
		this.alive.put(worker.pid(), worker);
		return worker;
	}

	private void signal(long pid, PosixSignal signal) {
		this.signals.add(pid + " " + signal);
		if (signal == PosixSignal.KILL) {
			this.clock.advance(this.killTakes);
		}
	}

	// Events

	void ready(WorkerHandle worker) {
		send(worker, new Message.Ready(worker.pid(), 1000));
	}

	void send(WorkerHandle worker, Message message) {
		this.arbiter.step(new MasterEvent.Received(worker, new Envelope(++this.seq, 0, message)));
	}

	void retire(WorkerHandle worker, boolean urgent) {
		if (urgent) {
			this.selfDraining.add(worker);
		}
		send(worker, new Message.Retire(urgent ? "fatal error (test)" : "recycle (test)", urgent));
	}

	void heartbeat(WorkerHandle worker) {
		send(worker, new Message.Heartbeat(1, 2, 3, 4, 0, 0, -1));
	}

	void exit(WorkerHandle worker, Exit exit) {
		assertThat(this.alive.remove(worker.pid())).as("%s alive", worker).isNotNull();
		this.arbiter.step(new MasterEvent.Exited(worker, exit));
	}

	void crash(WorkerHandle worker) {
		exit(worker, new Exit(-1, 9));
	}

	void signalMaster(String name) {
		this.arbiter.step(new MasterEvent.SignalReceived(name));
	}

	Message.CommandResult command(Message.Command.Action action, Integer workers, Integer id) {
		RecordingChannel channel = (RecordingChannel) any().channel();
		int before = channel.replies.size();
		send(any(), new Message.Command(action, workers, id));
		return (Message.CommandResult) channel.replies.get(before);
	}

	/**
	 * Let time pass, a second at a time, with a heartbeat from every serving worker that
	 * is not {@link #silent}.
	 */
	void advance(Duration duration) {
		Duration left = duration;
		while (!left.isNegative() && !left.isZero()) {
			Duration step = (left.compareTo(Duration.ofSeconds(1)) < 0) ? left : Duration.ofSeconds(1);
			for (WorkerHandle worker : List.copyOf(this.alive.values())) {
				if (worker.state().isServing() && !this.silent.contains(worker)) {
					heartbeat(worker);
				}
			}
			this.clock.advance(step);
			this.arbiter.step(null);
			left = left.minus(step);
		}
	}

	// What the processes do

	/**
	 * Let every process do what it was told: booting workers become ready, workers told
	 * to leave or signalled to end exit. Repeats until nothing changes.
	 */
	void settle() {
		for (int round = 0; round < 50; round++) {
			boolean changed = false;
			for (WorkerHandle worker : List.copyOf(this.alive.values())) {
				Exit exit = exitOf(worker);
				if (exit != null) {
					exit(worker, exit);
					changed = true;
				}
				else if (worker.state() == WorkerState.STARTING) {
					ready(worker);
					changed = true;
				}
			}
			if (!changed) {
				return;
			}
		}
		throw new AssertionError("the pool did not settle: " + describe());
	}

	/** How a process that was told to go ends, {@code null} if it was not told. */
	Exit exitOf(WorkerHandle worker) {
		if (this.signals.contains(worker.pid() + " KILL")) {
			return new Exit(-1, 9);
		}
		if (this.signals.contains(worker.pid() + " TERM")) {
			return new Exit(143, 0);
		}
		if (this.selfDraining.contains(worker)) {
			return new Exit(0, 0);
		}
		RecordingChannel channel = (RecordingChannel) worker.channel();
		boolean told = channel.sent.stream()
			.anyMatch((message) -> message instanceof Message.Stop || message instanceof Message.ReplacementReady);
		return told ? new Exit(0, 0) : null;
	}

	// Looking

	WorkerHandle any() {
		return this.arbiter.pool()
			.slots()
			.stream()
			.map(Slot::current)
			.filter((worker) -> worker != null)
			.findFirst()
			.orElseThrow();
	}

	Slot slot(int id) {
		return this.arbiter.pool().slot(id);
	}

	WorkerHandle current(int id) {
		return slot(id).current();
	}

	WorkerHandle incoming(int id) {
		return slot(id).incoming();
	}

	List<WorkerHandle> launchedFor(int id) {
		return this.launched.stream().filter((worker) -> worker.id() == id).toList();
	}

	WorkerHandle last() {
		return this.launched.get(this.launched.size() - 1);
	}

	PoolStatus status() {
		return this.arbiter.status(this.clock.instant());
	}

	/**
	 * What the master told a worker about its life: stop, replacement ready, close
	 * listeners.
	 */
	List<Message> sentTo(WorkerHandle worker) {
		return ((RecordingChannel) worker.channel()).sent.stream()
			.filter((message) -> message instanceof Message.Stop || message instanceof Message.ReplacementReady
					|| message instanceof Message.CloseListeners)
			.toList();
	}

	/** Epochs each worker acknowledged giving up, by pid. */
	final Map<Long, java.util.Set<Long>> acked = new java.util.HashMap<>();

	/**
	 * Acknowledge the revokes a worker was sent, as a worker does once its leader-only
	 * work has stopped.
	 */
	void ackRevokes(WorkerHandle worker) {
		for (Message message : List.copyOf(allSentTo(worker))) {
			if (message instanceof Message.Revoke revoke
					&& this.acked.computeIfAbsent(worker.pid(), (pid) -> new java.util.HashSet<>())
						.add(revoke.epoch())) {
				send(worker, new Message.RevokeAck(revoke.epoch()));
			}
		}
	}

	/**
	 * Whether a live worker may act as the leader: it was granted an epoch it has not
	 * acknowledged giving up.
	 */
	boolean mayLead(WorkerHandle worker) {
		java.util.Set<Long> gaveUp = this.acked.getOrDefault(worker.pid(), java.util.Set.of());
		return allSentTo(worker).stream()
			.anyMatch((message) -> message instanceof Message.Grant grant && !gaveUp.contains(grant.epoch()));
	}

	/** Everything the master sent a worker. */
	List<Message> allSentTo(WorkerHandle worker) {
		return ((RecordingChannel) worker.channel()).sent;
	}

	String describe() {
		return this.arbiter.pool().slots().stream().map(Slot::toString).collect(Collectors.joining("; ")) + "; spares="
				+ this.arbiter.pool().spares().live() + "; alive=" + this.alive.keySet();
	}

	List<WorkerHandle> spares() {
		return this.arbiter.pool().spares().live();
	}

	/**
	 * What must hold after every event: the master's live list is the processes that
	 * exist, each is referenced by a slot, and no slot has two workers booting for it.
	 */
	void assertConsistent() {
		assertThat(this.alive.values().stream().filter(this::mayLead).toList()).as("leaders: %s", describe())
			.hasSizeLessThanOrEqualTo(1);
		assertThat(this.arbiter.pool().live()).as(describe()).containsExactlyInAnyOrderElementsOf(this.alive.values());
		for (WorkerHandle worker : this.alive.values()) {
			if (this.arbiter.pool().spares().contains(worker)) {
				assertThat(worker.id()).as("spare %s has no id", worker).isZero();
				assertThat(this.arbiter.pool().slotOf(worker)).as("slot of spare %s", worker).isNull();
				assertThat(mayLead(worker)).as("spare %s may not lead", worker).isFalse();
			}
			else {
				assertThat(this.arbiter.pool().slotOf(worker)).as("slot of %s: %s", worker, describe()).isNotNull();
			}
		}
		for (Slot slot : this.arbiter.pool().slots()) {
			long booting = this.alive.values()
				.stream()
				.filter((worker) -> worker.id() == slot.id() && worker.state() == WorkerState.STARTING
						&& !worker.isLeaving())
				.count();
			assertThat(booting).as("workers booting for %s", slot).isLessThanOrEqualTo(1);
		}
	}

	/**
	 * The pool is at rest and whole: one ready worker per wanted slot, nothing else
	 * alive.
	 */
	void assertWhole(int wanted) {
		assertConsistent();
		assertThat(this.arbiter.pool().slots()).hasSize(wanted);
		for (Slot slot : this.arbiter.pool().slots()) {
			assertThat(slot.current()).as(describe()).isNotNull();
			assertThat(slot.current().state()).isEqualTo(WorkerState.READY);
			assertThat(slot.incoming()).as(describe()).isNull();
			assertThat(slot.leaving()).as(describe()).isEmpty();
		}
		int spares = (this.arbiter.pool().spares().gaveUpReason() != null) ? 0 : this.properties.getSpareWorkers();
		assertThat(this.alive).as(describe()).hasSize(wanted + spares);
		assertThat(this.arbiter.pool().spares().live()).as(describe())
			.hasSize(spares)
			.allMatch((spare) -> spare.state() == WorkerState.READY && !spare.isLeaving());
		PoolStatus status = status();
		assertThat(status.slots()).hasSize(wanted);
		assertThat(status.slots()).allMatch(
				(entry) -> entry.state() == SlotState.READY && entry.incoming() == null && entry.leaving().isEmpty());
	}

	/** The factory: launches through {@link #launch}, records priority changes. */
	private final class RecordingFactory implements WorkerFactory {

		@Override
		public WorkerHandle launch(int id, long generation, int poolSize, Instant now) throws IOException {
			FakePool.this.poolSizes.add(poolSize);
			return FakePool.this.launch(id, generation, now);
		}

		@Override
		public void tookSlot(WorkerHandle worker) {
			FakePool.this.priorities.add(worker.pid() + " took-slot");
		}

		@Override
		public void bootingLate(WorkerHandle spare, Duration booting) {
			FakePool.this.priorities.add(spare.pid() + " booting-late");
		}

		@Override
		public boolean ended(WorkerHandle worker, boolean bootFailure) {
			// As WorkerLauncher: a boot failure from the cache abandons it.
			if (bootFailure && FakePool.this.fromBootCache.contains(worker)) {
				FakePool.this.bootCacheReady = false;
				return true;
			}
			return false;
		}

	}

}
