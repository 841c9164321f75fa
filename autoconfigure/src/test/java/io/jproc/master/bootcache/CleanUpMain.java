package io.jproc.master.bootcache;

import java.nio.file.Path;

/**
 * Another master's clean-up of old caches (or, with {@code --try-lock}, its attempt to
 * lock a cache), run in a process of its own by {@link BootCacheTests} and
 * {@link CacheLockTests}.
 */
public final class CleanUpMain {

	private CleanUpMain() {
	}

	public static void main(String[] args) throws java.io.IOException {
		if (args[0].equals("--try-lock")) {
			try (CacheLock lock = CacheLock.tryAcquire(Path.of(args[1]))) {
				if (lock == null) {
					System.out.println("held");
				}
				else {
					System.out.println(lock.tryRemoval() ? "removable" : "in use");
				}
			}
			return;
		}
		BootCacheStore.cleanUp(Path.of(args[0]), Path.of(args[1]));
	}

}
