package io.jproc.actuate.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

import io.jproc.SlotState;
import io.jproc.ipc.PoolStatus;
import io.jproc.worker.PoolStatusClient;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Meters of the whole pool, read from the master's latest status: workers wanted, ready
 * and draining, restarts by reason, and each worker's boot time. Every worker has them;
 * an aggregated Prometheus scrape shows them once. A meter never waits for the master: it
 * reads the latest status and, when that is older than {@code jproc.health.max-age},
 * starts the refresh it shares with the health contributor, for the next reading. Before
 * the first answer the gauges read {@code NaN}.
 */
public class PoolMetrics implements MeterBinder {

	/** Prefix of every pool-level meter; an aggregated scrape shows these series once. */
	public static final String PREFIX = "jproc.pool.";

	private final PoolStatusClient client;

	private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();

	private final Map<MeterRegistry, Set<String>> registered = new ConcurrentHashMap<>();

	/**
	 * Create the meters' source.
	 * @param client asks the master
	 */
	public PoolMetrics(PoolStatusClient client) {
		this.client = client;
		client.onStatus(this::registerNew);
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.registries.add(registry);
		gauge(registry, "workers.wanted", "Worker slots the master keeps", (status) -> status.master().workersWanted());
		gauge(registry, "workers.ready", "Workers taking traffic",
				(status) -> count(status, PoolStatus.Slot::isServing));
		gauge(registry, "workers.draining", "Workers finishing their requests before they exit",
				(status) -> status.slots()
					.stream()
					.mapToLong((slot) -> ((slot.state() == SlotState.DRAINING) ? 1 : 0) + slot.leaving().size())
					.sum());
		gauge(registry, "spares.ready", "Spare workers booted and waiting to take a slot",
				(status) -> (status.spares() != null)
						? status.spares().stream().filter((spare) -> "ready".equals(spare.state())).count() : 0);
		PoolStatus latest = this.client.latest();
		if (latest != null) {
			registerNew(latest);
		}
	}

	private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<PoolStatus> value) {
		Gauge.builder(PREFIX + name, this, (metrics) -> metrics.read(value))
			.description(description)
			.strongReference(true)
			.register(registry);
	}

	private double read(ToDoubleFunction<PoolStatus> value) {
		PoolStatus status = this.client.latest();
		return (status != null) ? value.applyAsDouble(status) : Double.NaN;
	}

	private static double count(PoolStatus status, Predicate<PoolStatus.Slot> which) {
		return status.slots().stream().filter(which).count();
	}

	/**
	 * Meters whose tags are only known from a status: restart reasons, worker ids.
	 * @param status the pool status
	 */
	private void registerNew(PoolStatus status) {
		for (MeterRegistry registry : this.registries) {
			Set<String> known = this.registered.computeIfAbsent(registry, (key) -> ConcurrentHashMap.newKeySet());
			registerDropped(registry, known, status);
			for (PoolStatus.Slot slot : status.slots()) {
				int id = slot.id();
				if (known.add("boot:" + id)) {
					TimeGauge
						.builder(PREFIX + "boot.time", this, TimeUnit.MILLISECONDS, (metrics) -> metrics.bootMillis(id))
						.description("Time from spawn to ready of the slot's current worker")
						.tag("worker", Integer.toString(id))
						.strongReference(true)
						.register(registry);
				}
				for (String reason : slot.restartsByReason().keySet()) {
					if (known.add("restarts:" + reason)) {
						FunctionCounter.builder(PREFIX + "restarts", this, (metrics) -> metrics.restarts(reason))
							.description("Workers replaced, by reason")
							.tag("reason", reason)
							.register(registry);
					}
				}
			}
		}
	}

	private void registerDropped(MeterRegistry registry, Set<String> known, PoolStatus status) {
		if (status.messaging() == null) {
			return;
		}
		for (String reason : status.messaging().droppedByReason().keySet()) {
			if (known.add("dropped:" + reason)) {
				FunctionCounter.builder(PREFIX + "messages.dropped", this, (metrics) -> metrics.dropped(reason))
					.description("Application messages the master did not deliver, by reason")
					.tag("reason", reason)
					.register(registry);
			}
		}
	}

	private double dropped(String reason) {
		PoolStatus status = this.client.latest();
		if (status == null || status.messaging() == null) {
			return 0;
		}
		Long count = status.messaging().droppedByReason().get(reason);
		return (count != null) ? count : 0;
	}

	private double bootMillis(int id) {
		PoolStatus status = this.client.latest();
		if (status == null) {
			return Double.NaN;
		}
		return status.slots()
			.stream()
			.filter((slot) -> slot.id() == id && slot.startedAt() != null && slot.readyAt() != null)
			.mapToDouble((slot) -> Duration.between(slot.startedAt(), slot.readyAt()).toMillis())
			.findFirst()
			.orElse(Double.NaN);
	}

	private double restarts(String reason) {
		PoolStatus status = this.client.latest();
		if (status == null) {
			return 0;
		}
		return status.slots()
			.stream()
			.map(PoolStatus.Slot::restartsByReason)
			.mapToInt((byReason) -> valueOf(byReason, reason))
			.sum();
	}

	private static int valueOf(Map<String, Integer> byReason, String reason) {
		Integer value = byReason.get(reason);
		return (value != null) ? value : 0;
	}

}
