/**
 * The boot cache: an extracted jar and a class-data (JDK 17-23) or AOT (JDK 24+) archive
 * that later workers start from.
 * <p>
 * Owns: {@code BootCache} (the key, the state, which jar and archive a worker gets),
 * {@code BootCacheTraining} (extraction and the training run on a thread of its own),
 * {@code BootCacheStore} (publication, clean-up) and {@code CacheLock}.
 * <p>
 * May import: {@code process} (to spawn its helper processes). Never the loop.
 */
@NullMarked
package io.jproc.master.bootcache;

import org.jspecify.annotations.NullMarked;
