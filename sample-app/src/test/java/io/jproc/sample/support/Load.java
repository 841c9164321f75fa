package io.jproc.sample.support;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A steady stream of requests from a few client threads, each a new connection, that
 * counts what succeeded and keeps what failed. Bounded: it stops on {@link #close()} or
 * after its maximum duration, whichever comes first.
 */
public final class Load implements AutoCloseable {

	private final int port;

	private final String path;

	private final AtomicBoolean running = new AtomicBoolean(true);

	private final AtomicLong ok = new AtomicLong();

	private final List<String> failures = new CopyOnWriteArrayList<>();

	private final Map<Long, AtomicLong> byPid = new ConcurrentHashMap<>();

	private final List<Thread> threads;

	private final long deadline;

	private Load(int port, String path, int clients, Duration max) {
		this.port = port;
		this.path = path;
		this.deadline = System.nanoTime() + max.toNanos();
		this.threads = java.util.stream.IntStream.range(0, clients)
			.mapToObj((i) -> new Thread(this::loop, "load-" + i))
			.toList();
		this.threads.forEach(Thread::start);
	}

	/**
	 * Start a load.
	 * @param port the port
	 * @param path the path to request
	 * @param clients concurrent clients
	 * @param max the longest it may run
	 * @return the running load
	 */
	public static Load start(int port, String path, int clients, Duration max) {
		return new Load(port, path, clients, max);
	}

	private void loop() {
		while (this.running.get() && System.nanoTime() < this.deadline) {
			try {
				RawHttp.Response response = RawHttp.get(this.port, this.path, Duration.ofSeconds(30));
				if (response.status() == 200) {
					this.ok.incrementAndGet();
					this.byPid.computeIfAbsent(response.pid(), (pid) -> new AtomicLong()).incrementAndGet();
				}
				else {
					this.failures.add("HTTP " + response.status() + ": " + response.body());
				}
			}
			catch (Exception ex) {
				this.failures.add(ex.toString());
			}
		}
	}

	public long ok() {
		return this.ok.get();
	}

	public List<String> failures() {
		return List.copyOf(this.failures);
	}

	public Map<Long, AtomicLong> byPid() {
		return Map.copyOf(this.byPid);
	}

	/**
	 * Wait until at least this many more requests have succeeded.
	 * @param more how many
	 * @param timeout the bound
	 */
	public void awaitMore(long more, Duration timeout) {
		long target = this.ok.get() + more;
		long end = System.nanoTime() + timeout.toNanos();
		while (this.ok.get() < target) {
			if (System.nanoTime() > end) {
				throw new AssertionError("load made no progress: " + this.ok.get() + " ok, failures " + failures());
			}
			MasterProcess.sleep(20);
		}
	}

	@Override
	public void close() {
		this.running.set(false);
		for (Thread thread : this.threads) {
			try {
				thread.join(35_000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
