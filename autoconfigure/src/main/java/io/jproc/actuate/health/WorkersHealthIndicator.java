package io.jproc.actuate.health;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.jproc.PoolState;
import io.jproc.SlotState;
import io.jproc.ipc.IpcChannel;
import io.jproc.ipc.PoolStatus;
import io.jproc.worker.PoolStatusClient;
import io.jproc.worker.SharedStatus;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.health.contributor.AbstractReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * The health of the whole pool, as the master sees it, whichever worker is asked:
 * <ul>
 * <li>{@code UP}: every wanted worker is taking traffic;</li>
 * <li>{@link #DEGRADED}: some are, not all (a worker booting, restarting, recycling or
 * given up). The pool still serves, so by default this is an HTTP 200;</li>
 * <li>{@code DOWN}: no worker takes traffic, the master is shutting down, or the master
 * has not answered for longer than {@code jproc.health.max-age} +
 * {@code jproc.ipc.request-timeout} (an {@code error} detail says so). A master late by
 * less than that is answered from its last status, with a {@code stale} detail.</li>
 * </ul>
 * A probe never asks the master itself: it reads the worker's {@link SharedStatus}, at
 * most {@code jproc.health.max-age} old and refreshed by one request that all concurrent
 * probes share, so a flood of probes costs the master nothing per probe. The
 * {@code statusAgeMillis} detail says how old the status is.
 */
public class WorkersHealthIndicator extends AbstractReactiveHealthIndicator {

	/** Fewer workers take traffic than wanted, but at least one does. */
	public static final Status DEGRADED = new Status("DEGRADED", "fewer workers are ready than wanted");

	private final PoolStatusClient client;

	/**
	 * Create the indicator.
	 * @param client asks the master
	 */
	public WorkersHealthIndicator(PoolStatusClient client) {
		super("Asking the master for the pool's health failed");
		this.client = client;
	}

	@Override
	protected Mono<Health> doHealthCheck(Health.Builder builder) {
		return Mono.defer(() -> {
			CompletableFuture<SharedStatus.Reading> reading = this.client.recent();
			// A shared refresh completes on the channel's reader thread (or the timer's)
			// for every probe that waits on it: build their answers elsewhere.
			return reading.isDone() ? Mono.fromFuture(reading)
					: Mono.fromFuture(reading).publishOn(Schedulers.parallel());
		})
			.map((reading) -> health(builder, reading))
			.onErrorResume((failure) -> Mono.just(builder.down()
				.withDetail("answeredBy", this.client.workerId())
				.withDetail("error", String.valueOf(IpcChannel.causeOf(failure).getMessage()))
				.build()));
	}

	private Health health(Health.Builder builder, SharedStatus.Reading reading) {
		PoolStatus status = reading.status();
		if (reading.error() != null || status == null) {
			builder.down()
				.withDetail("answeredBy", this.client.workerId())
				.withDetail("error",
						(reading.error() != null) ? reading.error() : "no pool status from the master yet");
			if (status != null) {
				builder.withDetail("statusAgeMillis", reading.ageMillis());
			}
			return builder.build();
		}
		builder.withDetail("statusAgeMillis", reading.ageMillis());
		if (reading.stale() != null) {
			builder.withDetail("stale", reading.stale());
		}
		return health(builder, status);
	}

	private Health health(Health.Builder builder, PoolStatus status) {
		List<PoolStatus.Slot> slots = status.slots();
		int wanted = status.master().workersWanted();
		long ready = slots.stream().filter(PoolStatus.Slot::isServing).count();
		Map<String, String> workers = new LinkedHashMap<>();
		slots.forEach((slot) -> workers.put(Integer.toString(slot.id()), slot.state().wireName()));
		List<Integer> givenUp = slots.stream()
			.filter((slot) -> slot.state() == SlotState.GIVEN_UP)
			.map(PoolStatus.Slot::id)
			.toList();
		if (status.master().state() == PoolState.SHUTTING_DOWN || ready == 0) {
			builder.down();
		}
		else if (ready < wanted) {
			builder.status(DEGRADED);
		}
		else {
			builder.up();
		}
		builder.withDetail("master", status.master().state().wireName())
			.withDetail("wanted", wanted)
			.withDetail("ready", ready)
			.withDetail("workers", workers)
			.withDetail("answeredBy", this.client.workerId());
		if (!givenUp.isEmpty()) {
			builder.withDetail("givenUp", givenUp);
		}
		return builder.build();
	}

}
