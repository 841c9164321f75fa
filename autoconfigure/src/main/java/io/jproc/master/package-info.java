/**
 * The master: owns the listening sockets, spawns, watches and replaces worker JVMs.
 */
@NullMarked
package io.jproc.master;

import org.jspecify.annotations.NullMarked;
