package io.jproc.worker;

import java.util.Map;

import io.jproc.WorkerEnvironment;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;

/**
 * Who this worker is. The {@link #id() id} is the slot the worker serves, the one the
 * application sees ({@code jproc.worker.id}, {@link JprocWorker#id()}, the
 * {@code [worker N]} log prefix); a spare has none ({@code 0}) until the master gives it
 * one ({@link #takeSlot(int)}). The {@link #number() number} is the process's permanent
 * name, its place in the master's order of spawns. Thread-safe.
 * <p>
 * Internal to jproc: public because the messaging package reads it; applications use
 * {@link JprocWorker}.
 */
public final class WorkerIdentity {

	/** Property (Environment) with the worker id, {@code 0} for a spare. */
	public static final String ID_PROPERTY = "jproc.worker.id";

	/** Property (Environment) with the worker process's number. */
	public static final String NUMBER_PROPERTY = "jproc.worker.number";

	/** Property (Environment) telling whether this worker is a spare without a slot. */
	public static final String SPARE_PROPERTY = "jproc.worker.spare";

	/**
	 * System property with the current {@link #label()}, read by the log pattern on every
	 * line.
	 */
	public static final String LABEL_PROPERTY = "jproc.worker.label";

	private static final Log logger = LogFactory.getLog(WorkerIdentity.class);

	private final long number;

	private final @Nullable ConfigurableEnvironment environment;

	private final ApplicationEventPublisher publisher;

	private volatile int id;

	/**
	 * Create the identity.
	 * @param id the worker id, {@link WorkerEnvironment#SPARE_ID} for a spare
	 * @param number the worker process's number
	 * @param environment the Environment whose {@code jproc-worker} property source
	 * follows the identity, if any
	 * @param publisher publishes {@link SlotTakenEvent}
	 */
	WorkerIdentity(int id, long number, @Nullable ConfigurableEnvironment environment,
			ApplicationEventPublisher publisher) {
		this.id = id;
		this.number = number;
		this.environment = environment;
		this.publisher = publisher;
	}

	/**
	 * The worker id: the slot it serves, from 1.
	 * @return the id, {@code 0} while this worker is a spare
	 */
	public int id() {
		return this.id;
	}

	/**
	 * The worker process's number: its place in the master's order of spawns, never
	 * reused and never changed.
	 * @return the number, {@code 0} if the master did not say
	 */
	public long number() {
		return this.number;
	}

	/**
	 * Whether this worker is a spare that has not taken a slot: it takes no connection.
	 * @return {@code true} while a spare
	 */
	public boolean isSpare() {
		return this.id == WorkerEnvironment.SPARE_ID;
	}

	/**
	 * The name log lines and messages use now: {@code worker 2}, or {@code spare #7} (by
	 * its number) while a spare.
	 * @return the label
	 */
	public String label() {
		return label(this.id, this.number);
	}

	static String label(int id, long number) {
		return (id == WorkerEnvironment.SPARE_ID) ? "spare #" + number : "worker " + id;
	}

	/**
	 * Become worker {@code id}: updates {@code jproc.worker.id} and
	 * {@code jproc.worker.spare} in the Environment and the {@value #LABEL_PROPERTY}
	 * system property, then publishes a {@link SlotTakenEvent} on a thread of its own.
	 * Only a spare takes a slot, and only once. Accepting is the caller's part.
	 * @param id the slot id, from 1
	 * @return whether the slot was taken; {@code false} if this worker is not a spare
	 * (any more) or the id is below 1
	 */
	public boolean takeSlot(int id) {
		synchronized (this) {
			if (id < 1 || !isSpare()) {
				return false;
			}
			this.id = id;
			updateEnvironment(id);
			System.setProperty(LABEL_PROPERTY, label(id, this.number));
		}
		SlotTakenEvent event = new SlotTakenEvent(this, id, this.number);
		Thread publishing = new Thread(() -> publish(event), "jproc-slot-taken");
		publishing.setDaemon(true);
		publishing.start();
		return true;
	}

	@SuppressWarnings("unchecked")
	private void updateEnvironment(int id) {
		if (this.environment == null) {
			return;
		}
		PropertySource<?> source = this.environment.getPropertySources()
			.get(WorkerEnvironmentPostProcessor.WORKER_SOURCE);
		if (source != null && source.getSource() instanceof Map<?, ?> map) {
			try {
				Map<String, Object> properties = (Map<String, Object>) map;
				properties.put(ID_PROPERTY, id);
				properties.put(SPARE_PROPERTY, false);
			}
			catch (UnsupportedOperationException ex) {
				logger.warn(label(id, this.number) + ": the " + WorkerEnvironmentPostProcessor.WORKER_SOURCE
						+ " property source cannot be changed; " + ID_PROPERTY + " still says "
						+ this.environment.getProperty(ID_PROPERTY));
			}
		}
	}

	private void publish(SlotTakenEvent event) {
		try {
			this.publisher.publishEvent(event);
		}
		catch (RuntimeException ex) {
			logger.warn(label() + ": a listener of SlotTakenEvent failed: " + ex, ex);
		}
	}

	@Override
	public String toString() {
		return label() + " (number " + this.number + ")";
	}

}
