package io.jproc.messaging;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.PayloadApplicationEvent;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;

/**
 * Relays {@link CrossWorker} events published here to the other workers, and publishes
 * those received from them. A received event is remembered (by identity) while it is
 * published, so it is never relayed again.
 */
final class CrossWorkerEvents implements ApplicationListener<ApplicationEvent>, DisposableBean {

	private static final Log logger = LogFactory.getLog(CrossWorkerEvents.class);

	private final Supplier<String> self;

	private final WorkerMessenger messenger;

	private final Outgoing outgoing;

	private final ConfigurableApplicationContext context;

	private final Set<Object> relaying = Collections
		.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

	private final ThreadPoolExecutor executor;

	CrossWorkerEvents(Supplier<String> self, WorkerMessenger messenger, Outgoing outgoing,
			ConfigurableApplicationContext context, int queueCapacity) {
		this.self = self;
		this.messenger = messenger;
		this.outgoing = outgoing;
		this.context = context;
		this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queueCapacity),
				(task) -> {
					Thread thread = new Thread(task, "jproc-events");
					thread.setDaemon(true);
					return thread;
				});
	}

	@Override
	public void onApplicationEvent(ApplicationEvent event) {
		Object payload = (event instanceof PayloadApplicationEvent<?> wrapped) ? wrapped.getPayload() : event;
		if (!AnnotatedElementUtils.hasAnnotation(payload.getClass(), CrossWorker.class)
				|| this.relaying.contains(payload)) {
			return;
		}
		try {
			this.messenger.publishEvent(this.outgoing.payload(payload), payload.getClass().getName());
		}
		catch (RuntimeException ex) {
			logger.warn(this.self.get() + ": could not relay " + payload.getClass().getSimpleName()
					+ " to the other workers: " + ex.getMessage());
		}
	}

	void received(Inbound inbound) {
		try {
			this.executor.execute(() -> publish(inbound));
		}
		catch (RejectedExecutionException ex) {
			logger.warn(this.self.get() + ": event " + inbound.eventType() + " from worker " + inbound.from()
					+ " dropped: the event queue is full");
		}
	}

	private void publish(Inbound inbound) {
		Object event;
		try {
			Class<?> type = ClassUtils.forName(String.valueOf(inbound.eventType()), this.context.getClassLoader());
			if (!AnnotatedElementUtils.hasAnnotation(type, CrossWorker.class)) {
				throw new IllegalArgumentException(type.getName() + " is not marked @CrossWorker");
			}
			event = this.outgoing.json().readValue(inbound.payload(), type);
		}
		catch (ClassNotFoundException | LinkageError | RuntimeException ex) {
			logger.warn(this.self.get() + ": event " + inbound.eventType() + " from worker " + inbound.from()
					+ " does not map: " + ex.getMessage());
			return;
		}
		this.relaying.add(event);
		try {
			this.context.publishEvent(event);
		}
		catch (RuntimeException ex) {
			logger.warn(this.self.get() + ": a listener of " + event.getClass().getSimpleName() + " from worker "
					+ inbound.from() + " failed: " + ex, ex);
		}
		finally {
			this.relaying.remove(event);
		}
	}

	@Override
	public void destroy() {
		this.executor.shutdownNow();
	}

}
