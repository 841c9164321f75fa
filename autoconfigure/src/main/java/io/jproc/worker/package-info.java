/**
 * The worker side: serving on the inherited socket and talking to the master.
 */
@NullMarked
package io.jproc.worker;

import org.jspecify.annotations.NullMarked;
