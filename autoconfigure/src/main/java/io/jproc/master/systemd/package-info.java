/**
 * systemd and deployments: socket activation, {@code sd_notify} (READY, RELOADING,
 * STATUS, WATCHDOG), and the jar watch that starts a rolling reload on a new build.
 * <p>
 * Owns: {@code PoolLifecycle} (the loop's hooks, which close the listening sockets at the
 * start of a shutdown), {@code SystemdNotifier}, {@code SocketActivation} and
 * {@code JarWatch}.
 * <p>
 * May import: {@code process}, {@code launch} (the sockets it adopts and closes). Never
 * the loop.
 */
@NullMarked
package io.jproc.master.systemd;

import org.jspecify.annotations.NullMarked;
