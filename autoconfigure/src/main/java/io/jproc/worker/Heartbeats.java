package io.jproc.worker;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

import com.sun.management.GcInfo;
import io.jproc.ipc.Message;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Once the application is ready, tells the master every {@code jproc.heartbeat.interval}
 * that this worker is alive, with its figures, and checks the heap and age recycling
 * triggers on the same beat. A worker whose heartbeats stop is hung for the master.
 */
final class Heartbeats implements ApplicationListener<ApplicationReadyEvent>, DisposableBean {

	private static final Log logger = LogFactory.getLog(Heartbeats.class);

	private static final Path STATUS = Path.of("/proc/self/status");

	private final MasterLink link;

	private final Requests requests;

	private final LongLivedConnections longLived;

	/** Open application connections, -1 when not counted. */
	private final LongSupplier connections;

	private final RecyclePolicy recycle;

	private final SelfRetirement retirement;

	private final Duration interval;

	private final ConfigurableApplicationContext context;

	private final AtomicBoolean started = new AtomicBoolean();

	private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "jproc-heartbeat");
		thread.setDaemon(true);
		return thread;
	});

	Heartbeats(MasterLink link, Requests requests, LongLivedConnections longLived, LongSupplier connections,
			RecyclePolicy recycle, SelfRetirement retirement, Duration interval,
			ConfigurableApplicationContext context) {
		this.link = link;
		this.requests = requests;
		this.longLived = longLived;
		this.connections = connections;
		this.recycle = recycle;
		this.retirement = retirement;
		this.interval = interval;
		this.context = context;
	}

	@Override
	public void onApplicationEvent(ApplicationReadyEvent event) {
		if (event.getApplicationContext() == this.context && this.started.compareAndSet(false, true)) {
			long millis = this.interval.toMillis();
			this.timer.scheduleAtFixedRate(this::beat, millis, millis, TimeUnit.MILLISECONDS);
		}
	}

	private void beat() {
		try {
			MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
			this.link
				.send(new Message.Heartbeat(heap.getUsed(), heap.getMax(), residentSetSize(), this.requests.served(),
						this.requests.inFlight(), this.longLived.count(), this.connections.getAsLong()));
			String reason = this.recycle.watchesHeap() ? this.recycle.afterGc(heapInUseAfterLastGc()) : null;
			if (reason == null) {
				reason = this.recycle.atAge(Duration.ofMillis(ManagementFactory.getRuntimeMXBean().getUptime()));
			}
			if (reason != null) {
				this.retirement.retire(reason);
			}
		}
		catch (RuntimeException ex) {
			// A failed beat must not end the timer: the master would take us for hung.
			logger.debug("jproc heartbeat failed", ex);
		}
	}

	/**
	 * Heap in use right after the most recent garbage collection, over every heap pool.
	 * @return bytes, or -1 before the first collection or where the JVM does not say
	 */
	static long heapInUseAfterLastGc() {
		Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans()
			.stream()
			.filter((pool) -> pool.getType() == MemoryType.HEAP)
			.map(MemoryPoolMXBean::getName)
			.collect(Collectors.toSet());
		GcInfo latest = null;
		for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
			if (collector instanceof com.sun.management.GarbageCollectorMXBean hotspot) {
				GcInfo info = hotspot.getLastGcInfo();
				if (info != null && (latest == null || info.getEndTime() > latest.getEndTime())) {
					latest = info;
				}
			}
		}
		if (latest == null) {
			return -1;
		}
		long used = 0;
		for (Map.Entry<String, MemoryUsage> pool : latest.getMemoryUsageAfterGc().entrySet()) {
			if (heapPools.contains(pool.getKey())) {
				used += pool.getValue().getUsed();
			}
		}
		return used;
	}

	static long residentSetSize() {
		try {
			for (String line : Files.readAllLines(STATUS)) {
				if (line.startsWith("VmRSS:")) {
					return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
				}
			}
		}
		catch (IOException | NumberFormatException ex) {
			// Not Linux, or no such line.
		}
		return -1;
	}

	@Override
	public void destroy() {
		this.timer.shutdownNow();
	}

}
