/**
 * Messages between master and workers: records, envelope and length-prefixed framing.
 * <p>
 * Internal, not API: its public types are public only because jproc's other packages
 * (master, worker, messaging, actuate) use them, and Java has no friend packages. They
 * change with jproc; an application depends on none of them but
 * {@link io.jproc.ipc.QueueFullException}. The wire itself is kept compatible, since a
 * reload starts workers of a new build under the running master: what is on it, and how
 * to add a message, is in {@link io.jproc.ipc.Message}.
 */
@NullMarked
package io.jproc.ipc;

import org.jspecify.annotations.NullMarked;
