package io.jproc.worker;

import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WorkerIdentity}: a spare becomes a worker once, and everything that
 * names the worker follows.
 */
class WorkerIdentityTests {

	private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();

	private final BlockingQueue<String> publishingThreads = new LinkedBlockingQueue<>();

	private final StandardEnvironment environment = new StandardEnvironment();

	private String savedLabel;

	@BeforeEach
	void saveLabel() {
		this.savedLabel = LabelProperty.save();
		Map<String, Object> identity = new ConcurrentHashMap<>();
		identity.put(WorkerIdentity.ID_PROPERTY, 0);
		identity.put(WorkerIdentity.NUMBER_PROPERTY, 7L);
		identity.put(WorkerIdentity.SPARE_PROPERTY, true);
		this.environment.getPropertySources()
			.addFirst(new MapPropertySource(WorkerEnvironmentPostProcessor.WORKER_SOURCE, identity));
	}

	@AfterEach
	void restoreLabel() {
		LabelProperty.restore(this.savedLabel);
	}

	private WorkerIdentity identity(int id, long number) {
		return new WorkerIdentity(id, number, this.environment, (event) -> {
			this.publishingThreads.add(Thread.currentThread().getName());
			this.events.add(event);
		});
	}

	@Test
	void spareIsNamedByItsNumber() {
		WorkerIdentity identity = identity(0, 7);
		assertThat(identity.id()).isZero();
		assertThat(identity.number()).isEqualTo(7);
		assertThat(identity.isSpare()).isTrue();
		assertThat(identity.label()).isEqualTo("spare #7");
	}

	@Test
	void workerIsNamedByItsId() {
		WorkerIdentity identity = identity(2, 9);
		assertThat(identity.isSpare()).isFalse();
		assertThat(identity.label()).isEqualTo("worker 2");
		assertThat(identity.number()).isEqualTo(9);
	}

	@Test
	void takeSlotMakesTheSpareThatWorkerEverywhere() throws InterruptedException {
		WorkerIdentity identity = identity(0, 7);
		assertThat(this.environment.getProperty(WorkerIdentity.ID_PROPERTY, Integer.class)).isZero();
		assertThat(identity.takeSlot(2)).isTrue();
		assertThat(identity.id()).isEqualTo(2);
		assertThat(identity.number()).isEqualTo(7);
		assertThat(identity.isSpare()).isFalse();
		assertThat(identity.label()).isEqualTo("worker 2");
		assertThat(this.environment.getProperty(WorkerIdentity.ID_PROPERTY, Integer.class)).isEqualTo(2);
		assertThat(this.environment.getProperty(WorkerIdentity.SPARE_PROPERTY, Boolean.class)).isFalse();
		assertThat(this.environment.getProperty(WorkerIdentity.NUMBER_PROPERTY, Long.class)).isEqualTo(7);
		assertThat(System.getProperty(WorkerIdentity.LABEL_PROPERTY)).isEqualTo("worker 2");
		Object event = this.events.poll(5, TimeUnit.SECONDS);
		assertThat(event).isInstanceOf(SlotTakenEvent.class);
		SlotTakenEvent taken = (SlotTakenEvent) event;
		assertThat(taken.getWorkerId()).isEqualTo(2);
		assertThat(taken.getWorkerNumber()).isEqualTo(7);
		assertThat(taken.getSource()).isSameAs(identity);
		assertThat(this.publishingThreads.poll()).isEqualTo("jproc-slot-taken")
			.isNotEqualTo(Thread.currentThread().getName());
	}

	@Test
	void takeSlotOnlyOnce() throws InterruptedException {
		WorkerIdentity identity = identity(0, 7);
		assertThat(identity.takeSlot(2)).isTrue();
		assertThat(identity.takeSlot(3)).isFalse();
		assertThat(identity.id()).isEqualTo(2);
		assertThat(this.environment.getProperty(WorkerIdentity.ID_PROPERTY, Integer.class)).isEqualTo(2);
		assertThat(this.events.poll(5, TimeUnit.SECONDS)).isInstanceOf(SlotTakenEvent.class);
		assertThat(this.events.poll(200, TimeUnit.MILLISECONDS)).isNull();
	}

	@Test
	void takeSlotRefusedByAWorkerThatIsNotASpare() throws InterruptedException {
		WorkerIdentity identity = identity(3, 4);
		assertThat(identity.takeSlot(2)).isFalse();
		assertThat(identity.id()).isEqualTo(3);
		assertThat(this.events.poll(200, TimeUnit.MILLISECONDS)).isNull();
	}

	@Test
	void takeSlotRefusesAnIdBelowOne() {
		WorkerIdentity identity = identity(0, 7);
		assertThat(identity.takeSlot(0)).isFalse();
		assertThat(identity.takeSlot(-1)).isFalse();
		assertThat(identity.isSpare()).isTrue();
		assertThat(this.environment.getProperty(WorkerIdentity.SPARE_PROPERTY, Boolean.class)).isTrue();
		assertThat(this.events).isEmpty();
	}

}
