/**
 * What every servlet worker shares, whatever its server (Tomcat in
 * {@code io.jproc.worker.tomcat}, Jetty in {@code io.jproc.worker.jetty}): the request
 * filter that feeds the worker's {@link io.jproc.worker.RequestCounter} (asynchronous
 * requests counted until they complete, the warm-up's requests skipped, errors handed to
 * the fatal error guard), {@code Connection: close} on a leaving worker's responses, and
 * event streams registered as long-lived connections that end when the worker leaves. Its
 * beans exist only in a servlet web application.
 * <p>
 * May import {@code io.jproc}, {@code io.jproc.worker}, Spring, Boot and the Servlet API;
 * never a server's own types. Only the auto-configuration imports files and the server
 * packages import it.
 */
@NullMarked
package io.jproc.worker.servlet;

import org.jspecify.annotations.NullMarked;
