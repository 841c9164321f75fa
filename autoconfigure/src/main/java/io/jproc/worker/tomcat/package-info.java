/**
 * A worker's Tomcat server (Spring MVC): Boot's Tomcat accepts on the socket(s) inherited
 * from the master instead of binding ({@code InheritedNioEndpoint}, Tomcat's NIO endpoint
 * on an {@link io.jproc.worker.InheritedServerChannel}, with a gate in front of a
 * non-blocking accept: held for a spare, paused for a leaving worker, never woken by a
 * connection to the shared address), the management server likewise, and the warm-up's
 * loopback connector. {@link io.jproc.worker.tomcat.TomcatSockets} is the worker's
 * {@link io.jproc.worker.WorkerServer}; its beans exist only in a servlet web application
 * whose server is Tomcat. Request counting and {@code Connection: close} are the
 * server-neutral filters of {@code io.jproc.worker.servlet}.
 * <p>
 * May import {@code io.jproc}, {@code io.jproc.worker}, Tomcat, Boot's Tomcat module and
 * jnr-posix. No main code outside this package imports it but the auto-configuration
 * imports files.
 */
@NullMarked
package io.jproc.worker.tomcat;

import org.jspecify.annotations.NullMarked;
