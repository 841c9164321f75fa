package io.jproc.messaging;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a bean method that runs only on the leader worker; called on another worker it
 * does nothing and returns {@code null} (or an empty publisher, or zero). Useful for
 * {@code @Scheduled} methods when {@code jproc.scheduling.leader-only=false}, and for any
 * other method. A method returning a {@code Mono} or {@code Flux} is checked per
 * subscription and its subscription is cancelled when leadership is revoked.
 * <p>
 * On a {@code Lifecycle} or {@code SmartLifecycle} bean class: the bean runs only on the
 * leader. Its {@code start()} does nothing on other workers (so the context's auto-start
 * does not start it anywhere before a leader is known); jproc starts it when this worker
 * is granted leadership and stops it when leadership is revoked, before acknowledging.
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface LeaderOnly {

}
