package io.jproc.messaging;

import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.core.Ordered;

/**
 * Puts {@link LeaderGate} in front of leader-only methods. Runs before Spring's
 * {@code ScheduledAnnotationBeanPostProcessor} (which is ordered last), so the scheduled
 * task Spring creates calls the gated proxy. Gating the bean's method, rather than the
 * task scheduler, leaves other tasks on the scheduler, {@code @Async} executors and
 * {@code TaskDecorator}s alone; Spring Framework 7 hands the scheduler an anonymous
 * wrapper ({@code Task.OutcomeTrackingRunnable}) that does not say which method it runs.
 */
final class LeaderOnlyPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {

	private static final long serialVersionUID = 1L;

	private transient BeanFactory beanFactory;

	LeaderOnlyPostProcessor(boolean scheduledLeaderOnly) {
		setProxyTargetClass(true);
		setBeforeExistingAdvisors(true);
		setOrder(Ordered.LOWEST_PRECEDENCE - 100);
		this.advisor = new DefaultPointcutAdvisor(new LeaderGate.Pointcut(scheduledLeaderOnly),
				new LeaderGate(() -> this.beanFactory.getBean(LeaderState.class)));
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		super.setBeanFactory(beanFactory);
		this.beanFactory = beanFactory;
	}

}
