/**
 * jproc: pre-fork multi-process serving for Spring Boot WebFlux applications.
 * <p>
 * A process started with {@code jproc.workers > 0} becomes a light master that owns the
 * listening socket and starts worker JVMs that all accept on it.
 */
@NullMarked
package io.jproc;

import org.jspecify.annotations.NullMarked;
