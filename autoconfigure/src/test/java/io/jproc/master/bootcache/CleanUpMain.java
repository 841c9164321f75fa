package io.jproc.master.bootcache;

import java.nio.file.Path;

/**
 * Another master's clean-up of old caches, run in a process of its own by
 * {@link BootCacheTests}.
 */
public final class CleanUpMain {

	private CleanUpMain() {
	}

	public static void main(String[] args) {
		BootCacheStore.cleanUp(Path.of(args[0]), Path.of(args[1]));
	}

}
