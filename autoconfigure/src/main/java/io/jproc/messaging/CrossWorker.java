package io.jproc.messaging;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an application event type whose instances, published with Spring's
 * {@code ApplicationEventPublisher} in one worker, are also published in every other
 * ready worker, where plain {@code @EventListener} methods receive them. The event is
 * mapped to JSON with the application's Jackson, so it must be a type Jackson can read
 * back (a record is simplest). An event received from another worker is never relayed
 * again.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface CrossWorker {

}
