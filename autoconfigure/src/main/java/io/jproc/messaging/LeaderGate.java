package io.jproc.messaging;

import java.lang.reflect.Method;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.context.Lifecycle;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Runs a leader-only method only on the leader. A method returning a {@code Mono} or
 * {@code Flux} (a reactive {@code @Scheduled} method, whose publisher Spring creates once
 * and subscribes at every run) is checked per subscription, and the subscription is
 * cancelled when leadership is revoked.
 */
final class LeaderGate implements MethodInterceptor {

	private final LeaderStateSupplier state;

	LeaderGate(LeaderStateSupplier state) {
		this.state = state;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Class<?> returnType = invocation.getMethod().getReturnType();
		if (Publisher.class.isAssignableFrom(returnType)) {
			Object publisher = invocation.proceed();
			if (publisher instanceof Mono<?> mono) {
				return Mono.defer(() -> gated(mono).next());
			}
			if (publisher instanceof Publisher<?> any) {
				return Flux.defer(() -> gated(any));
			}
			return publisher;
		}
		LeaderState leader = this.state.get();
		if (!leader.enter()) {
			return nothing(returnType);
		}
		try {
			return invocation.proceed();
		}
		finally {
			leader.exit();
		}
	}

	private Flux<?> gated(Publisher<?> publisher) {
		LeaderState leader = this.state.get();
		if (!leader.enter()) {
			return Flux.empty();
		}
		return Flux.from(publisher).takeUntilOther(leader.whenRevoked()).doFinally((signal) -> leader.exit());
	}

	private static @Nullable Object nothing(Class<?> type) {
		if (!type.isPrimitive() || type == void.class) {
			return null;
		}
		if (type == boolean.class) {
			return false;
		}
		if (type == char.class) {
			return '\0';
		}
		if (type == long.class) {
			return 0L;
		}
		if (type == double.class) {
			return 0d;
		}
		if (type == float.class) {
			return 0f;
		}
		if (type == short.class) {
			return (short) 0;
		}
		if (type == byte.class) {
			return (byte) 0;
		}
		return 0;
	}

	/**
	 * Whether a bean class is a {@code Lifecycle} marked {@link LeaderOnly}: its
	 * {@code start()} is gated, and jproc starts it on grant and stops it on revoke.
	 * @param type the bean class
	 * @return whether it is
	 */
	static boolean isLeaderOnlyLifecycle(Class<?> type) {
		return Lifecycle.class.isAssignableFrom(type) && AnnotatedElementUtils.hasAnnotation(type, LeaderOnly.class);
	}

	/**
	 * Finds the state lazily: the gate is built with the bean post-processors, long
	 * before the state's own bean.
	 */
	@FunctionalInterface
	interface LeaderStateSupplier {

		LeaderState get();

	}

	/**
	 * Matches {@code @LeaderOnly} methods and, when scheduled work is leader-only by
	 * default, {@code @Scheduled} methods not marked {@code @EveryWorker}.
	 */
	static final class Pointcut extends StaticMethodMatcherPointcut {

		private final boolean scheduledLeaderOnly;

		Pointcut(boolean scheduledLeaderOnly) {
			this.scheduledLeaderOnly = scheduledLeaderOnly;
		}

		@Override
		public boolean matches(Method method, Class<?> targetClass) {
			if (isLeaderOnlyLifecycle(targetClass) && "start".equals(method.getName())
					&& method.getParameterCount() == 0) {
				return true;
			}
			Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
			if (AnnotatedElementUtils.hasAnnotation(specific, LeaderOnly.class)) {
				return true;
			}
			return this.scheduledLeaderOnly && AnnotatedElementUtils.hasAnnotation(specific, Scheduled.class)
					&& !AnnotatedElementUtils.hasAnnotation(specific, EveryWorker.class);
		}

	}

}
