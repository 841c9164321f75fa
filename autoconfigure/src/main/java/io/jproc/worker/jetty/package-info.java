/**
 * A worker's Jetty server, for servlet (Spring MVC) applications: Boot's Jetty server
 * accepts on the socket(s) inherited from the master instead of binding
 * ({@code InheritedConnector}, a {@code ServerConnector} on a duplicate of the descriptor
 * whose selectors accept, behind a gate that holds a spare and pauses a leaving worker),
 * the management server likewise, and request threads sized to the worker's share of the
 * processors. {@link io.jproc.worker.jetty.JettyWorkerServer} is the worker's
 * {@link io.jproc.worker.WorkerServer}; its beans exist only when Boot serves a servlet
 * web application with Jetty.
 * <p>
 * May import {@code io.jproc}, {@code io.jproc.worker} (the server-neutral side it
 * serves), {@code io.jproc.worker.servlet} (what every servlet server shares), Jetty,
 * Boot's Jetty support and jnr-posix. No main code outside this package imports it but
 * the auto-configuration imports files.
 */
@NullMarked
package io.jproc.worker.jetty;

import org.jspecify.annotations.NullMarked;
