/**
 * Messages between master and workers: records, envelope and length-prefixed framing.
 */
@NullMarked
package io.jproc.ipc;

import org.jspecify.annotations.NullMarked;
