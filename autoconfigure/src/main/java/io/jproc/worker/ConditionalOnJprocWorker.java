package io.jproc.worker;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.context.annotation.Conditional;

/**
 * Matches only in a process a jproc master started as a worker ({@code JPROC_ROLE=worker}
 * in its environment).
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Conditional(OnJprocWorkerCondition.class)
public @interface ConditionalOnJprocWorker {

}
