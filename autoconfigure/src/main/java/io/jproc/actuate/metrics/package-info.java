/**
 * Pool meters, and Prometheus scrapes that gather every worker's metrics over IPC.
 */
@NullMarked
package io.jproc.actuate.metrics;

import org.jspecify.annotations.NullMarked;
