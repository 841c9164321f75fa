package io.jproc.messaging;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a bean method that receives the messages of a topic sent with
 * {@link JprocMessenger}. The method takes no parameter or one, the payload, mapped from
 * JSON with the application's Jackson; its return value (a value or a {@code Mono}) is
 * the answer to an {@link JprocMessenger#ask ask} or {@link JprocMessenger#gather
 * gather}. When several methods listen to one topic, each receives every message and the
 * first one registered answers.
 * <p>
 * Each listener method has its own thread and bounded queue
 * ({@code jproc.messaging.queue-capacity}): it is never called on an event loop or on the
 * channel's reader, it sees one sender's messages in order, and a slow or throwing
 * listener delays or hurts no other listener.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface JprocListener {

	/**
	 * The topic.
	 * @return the topic
	 */
	String value();

}
