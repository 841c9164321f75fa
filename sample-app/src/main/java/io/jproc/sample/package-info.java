/**
 * A small WebFlux application served by jproc, used by the process tests and the
 * benchmark.
 */
package io.jproc.sample;
