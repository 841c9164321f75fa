/**
 * A worker's Reactor Netty server: Boot's Netty server accepts on the socket(s) inherited
 * from the master instead of binding ({@code InheritedSocket} on a duplicate of the
 * descriptor, native epoll loops, a hold that keeps a spare from accepting), the
 * management server likewise, the warm-up's loopback server for the application's
 * {@code HttpHandler}, and {@code Connection: close} on a leaving worker's responses.
 * {@link io.jproc.worker.netty.InheritedSockets} is the worker's
 * {@link io.jproc.worker.WorkerServer}; its beans exist only when Reactor Netty and
 * native epoll are on the class path, in a reactive web application.
 * <p>
 * May import {@code io.jproc}, {@code io.jproc.worker} (the server-neutral side it
 * serves), Reactor Netty, Netty and jnr-posix. No main code outside this package imports
 * it but the auto-configuration imports files; Tomcat and Jetty get packages of their own
 * beside it.
 */
@NullMarked
package io.jproc.worker.netty;

import org.jspecify.annotations.NullMarked;
