package io.jproc.worker;

import io.jproc.WorkerEnvironment;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Condition behind {@link ConditionalOnJprocWorker}. It reads {@code JPROC_ROLE} through
 * the Spring Environment, which sees the process environment.
 */
class OnJprocWorkerCondition extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		WorkerEnvironment environment = WorkerEnvironment.of(context.getEnvironment()::getProperty);
		return environment.isWorker() ? ConditionOutcome.match("jproc worker " + environment.workerId())
				: ConditionOutcome.noMatch(WorkerEnvironment.ROLE + " is not 'worker'");
	}

}
