package io.jproc.messaging;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Finds {@link JprocListener @JprocListener} methods and delivers messages to them, each
 * method on its own thread with its own bounded queue.
 */
final class ListenerRegistry implements BeanPostProcessor, DisposableBean {

	private static final Log logger = LogFactory.getLog(ListenerRegistry.class);

	private final Map<String, List<Endpoint>> byTopic = new ConcurrentHashMap<>();

	private final List<Endpoint> all = new CopyOnWriteArrayList<>();

	private volatile int queueCapacity = 1024;

	private volatile Supplier<String> self = () -> "worker 1";

	private final AtomicLong dropped = new AtomicLong();

	private final AtomicLong unmapped = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private final AtomicLong received = new AtomicLong();

	private final boolean enabled;

	ListenerRegistry() {
		this(true);
	}

	/**
	 * Create the registry.
	 * @param enabled whether listener methods are registered: not in the boot cache's
	 * training run, whose own messages then reach no listener
	 */
	ListenerRegistry(boolean enabled) {
		this.enabled = enabled;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (!this.enabled) {
			return bean;
		}
		Class<?> type = AopUtils.getTargetClass(bean);
		Map<Method, JprocListener> methods = MethodIntrospector.selectMethods(type,
				(MethodIntrospector.MetadataLookup<JprocListener>) (method) -> AnnotatedElementUtils
					.findMergedAnnotation(method, JprocListener.class));
		methods.forEach((method, listener) -> register(Outgoing.topic(listener.value()), bean, method));
		return bean;
	}

	void register(String topic, Object bean, Method method) {
		if (method.getParameterCount() > 1) {
			throw new IllegalStateException(
					"@JprocListener method " + method + " must take no parameter or one (the payload)");
		}
		Method invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
		ReflectionUtils.makeAccessible(invocable);
		Endpoint endpoint = new Endpoint(topic, bean, invocable, method.toGenericString());
		this.byTopic.computeIfAbsent(topic, (key) -> new CopyOnWriteArrayList<>()).add(endpoint);
		this.all.add(endpoint);
	}

	void configure(int queueCapacity, Supplier<String> self) {
		this.queueCapacity = queueCapacity;
		this.self = self;
	}

	/**
	 * Hand a message to the listeners of its topic; never blocks.
	 * @param inbound the message
	 * @param json the application's mapper
	 */
	void deliver(Inbound inbound, JsonMapper json) {
		this.received.incrementAndGet();
		List<Endpoint> endpoints = this.byTopic.getOrDefault(inbound.topic(), List.of());
		if (endpoints.isEmpty()) {
			if (inbound.replier() != null) {
				inbound.replier().fail(this.self.get() + " has no listener for topic '" + inbound.topic() + "'");
			}
			else {
				logger.debug(this.self.get() + ": no listener for topic '" + inbound.topic() + "'");
			}
			return;
		}
		for (int i = 0; i < endpoints.size(); i++) {
			Endpoint endpoint = endpoints.get(i);
			Inbound.Replier replier = (i == 0) ? inbound.replier() : null;
			try {
				endpoint.executor().execute(() -> invoke(endpoint, inbound, replier, json));
			}
			catch (RejectedExecutionException ex) {
				long count = this.dropped.incrementAndGet();
				if (Long.bitCount(count) == 1) {
					logger.warn(this.self.get() + ": message on topic '" + inbound.topic() + "' from worker "
							+ inbound.from() + " dropped: the queue of " + endpoint.name()
							+ " is full (jproc.messaging.queue-capacity=" + this.queueCapacity + "; " + count
							+ " dropped so far)");
				}
				if (replier != null) {
					replier.fail(this.self.get() + " is too busy: the queue of its listener for '" + inbound.topic()
							+ "' is full");
				}
			}
		}
	}

	private void invoke(Endpoint endpoint, Inbound inbound, Inbound.@Nullable Replier replier, JsonMapper json) {
		Object[] arguments;
		try {
			arguments = (endpoint.method().getParameterCount() == 0) ? new Object[0]
					: new Object[] { json.readValue(inbound.payload(), endpoint.parameterType(json)) };
		}
		catch (RuntimeException ex) {
			this.unmapped.incrementAndGet();
			logger.warn(this.self.get() + ": message on topic '" + inbound.topic() + "' from worker " + inbound.from()
					+ " does not map to " + endpoint.method().getGenericParameterTypes()[0].getTypeName() + ": "
					+ ex.getMessage());
			if (replier != null) {
				replier.fail("payload does not map: " + ex.getMessage());
			}
			return;
		}
		try {
			Object result = endpoint.method().invoke(endpoint.bean(), arguments);
			if (result instanceof Mono<?> mono) {
				result = mono.block();
			}
			if (replier != null) {
				replier.answer(json.writeValueAsString(result));
			}
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			Throwable cause = (ex instanceof java.lang.reflect.InvocationTargetException ite && ite.getCause() != null)
					? ite.getCause() : ex;
			this.failed.incrementAndGet();
			logger.warn(this.self.get() + ": listener " + endpoint.name() + " failed on a message from worker "
					+ inbound.from() + ": " + cause, cause);
			if (replier != null) {
				replier.fail("listener " + endpoint.name() + " failed: " + cause);
			}
		}
	}

	/**
	 * Counters, for logs and tests.
	 * @return received, dropped, unmapped, failed
	 */
	long[] counters() {
		return new long[] { this.received.get(), this.dropped.get(), this.unmapped.get(), this.failed.get() };
	}

	@Override
	public void destroy() {
		this.all.forEach((endpoint) -> endpoint.executor().shutdownNow());
	}

	private final class Endpoint {

		private final String topic;

		private final Object bean;

		private final Method method;

		private final String name;

		private volatile @Nullable ThreadPoolExecutor executor;

		private volatile @Nullable JavaType parameterType;

		Endpoint(String topic, Object bean, Method method, String name) {
			this.topic = topic;
			this.bean = bean;
			this.method = method;
			this.name = method.getDeclaringClass().getSimpleName() + "." + method.getName();
		}

		Object bean() {
			return this.bean;
		}

		Method method() {
			return this.method;
		}

		String name() {
			return this.name;
		}

		JavaType parameterType(JsonMapper json) {
			JavaType type = this.parameterType;
			if (type == null) {
				type = json.constructType(this.method.getGenericParameterTypes()[0]);
				this.parameterType = type;
			}
			return type;
		}

		synchronized ThreadPoolExecutor executor() {
			ThreadPoolExecutor current = this.executor;
			if (current == null) {
				current = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
						new ArrayBlockingQueue<>(ListenerRegistry.this.queueCapacity), (task) -> {
							Thread thread = new Thread(task, "jproc-listener-" + this.topic);
							thread.setDaemon(true);
							return thread;
						});
				this.executor = current;
			}
			return current;
		}

	}

}
