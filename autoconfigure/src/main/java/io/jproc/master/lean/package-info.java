/**
 * The lean master: the application's JVM, once its sockets are bound, becomes a small one
 * with the same pid.
 * <p>
 * Owns: {@code LeanExec} (the one {@code execve} of the master and its contract),
 * {@code HandOff} (what crosses it), {@code PropertiesCodec} ({@code JprocProperties} as
 * strings), {@code LeanLogFactory} (log lines in Spring Boot's console format without a
 * logging system), {@code ConsoleOutput} (their way to standard output, which no thread
 * of the master waits on).
 * <p>
 * May import: {@code process}, {@code launch} (the sockets it hands over). Never Spring's
 * context or Boot's auto-configuration: this package runs in the lean JVM.
 */
@NullMarked
package io.jproc.master.lean;

import org.jspecify.annotations.NullMarked;
