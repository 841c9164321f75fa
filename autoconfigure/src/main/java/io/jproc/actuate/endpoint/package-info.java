/**
 * The {@code workers} actuator endpoint: the whole pool, as the master sees it, from any
 * worker.
 */
@NullMarked
package io.jproc.actuate.endpoint;

import org.jspecify.annotations.NullMarked;
