/**
 * The {@code workers} health contributor: the pool's health, from the master.
 */
@NullMarked
package io.jproc.actuate.health;

import org.jspecify.annotations.NullMarked;
