package io.jproc.master.bootcache;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CacheLock}.
 */
class CacheLockTests {

	@TempDir
	Path temp;

	@Test
	void aHeldLockIsNotTakenAgainUntilReleased() throws IOException {
		Path file = this.temp.resolve("app.lock");
		try (CacheLock first = CacheLock.tryAcquire(file)) {
			assertThat(first).isNotNull();
			assertThat(CacheLock.tryAcquire(file)).isNull();
		}
		try (CacheLock again = CacheLock.tryAcquire(file)) {
			assertThat(again).isNotNull();
		}
	}

	@Test
	void aLockHeldHereIsHeldForAnotherProcess() throws Exception {
		Path file = this.temp.resolve("app.lock");
		try (CacheLock held = CacheLock.tryAcquire(file)) {
			assertThat(held).isNotNull();
			assertThat(tryInAnotherProcess(file)).isEqualTo("held");
		}
		assertThat(tryInAnotherProcess(file)).isEqualTo("removable");
		try (CacheLock used = CacheLock.tryUse(file); CacheLock alsoUsed = CacheLock.tryUse(file)) {
			assertThat(used).isNotNull();
			assertThat(alsoUsed).isNotNull();
			assertThat(CacheLock.tryAcquire(file)).as("used in this JVM").isNull();
			// Another master's clean-up cannot remove it.
			assertThat(tryInAnotherProcess(file)).isEqualTo("in use");
		}
		assertThat(tryInAnotherProcess(file)).isEqualTo("removable");
		try (CacheLock held = CacheLock.tryAcquire(file)) {
			// Published: used from now on, and never removable in between.
			try (CacheLock used = held.toUse()) {
				assertThat(tryInAnotherProcess(file)).isEqualTo("in use");
			}
		}
	}

	private static String tryInAnotherProcess(Path file) throws Exception {
		String command = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Process process = new ProcessBuilder(command, "-cp", System.getProperty("java.class.path"),
				CleanUpMain.class.getName(), "--try-lock", file.toString())
			.redirectErrorStream(true)
			.start();
		try {
			assertThat(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
			return new String(process.getInputStream().readAllBytes()).strip();
		}
		finally {
			process.destroyForcibly();
		}
	}

	@Test
	void aDeletedLockFileIsNoLongerTheLock() throws IOException {
		Path file = this.temp.resolve("app.lock");
		// A waiter opened the file before its holder deleted it, and locks it after.
		FileChannel waiter = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
		Object identity = CacheLock.identity(file);
		try (CacheLock holder = CacheLock.tryAcquire(file)) {
			assertThat(holder).isNotNull();
			holder.deleteFile();
		}
		assertThat(file).doesNotExist();
		// Meanwhile another process created the file again and holds it.
		try (CacheLock newcomer = CacheLock.tryAcquire(file)) {
			assertThat(newcomer).isNotNull();
			assertThat(CacheLock.lock(file, waiter, identity, 0, false)).isNull();
			assertThat(waiter.isOpen()).isFalse();
		}
	}

	@Test
	void aDeletedLockFileWithoutSuccessorIsNoLockEither() throws IOException {
		Path file = this.temp.resolve("app.lock");
		FileChannel waiter = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
		Object identity = CacheLock.identity(file);
		Files.delete(file);
		assertThat(CacheLock.lock(file, waiter, identity, 0, false)).isNull();
		// The next attempt opens what has the name now.
		try (CacheLock lock = CacheLock.tryAcquire(file)) {
			assertThat(lock).isNotNull();
			assertThat(file).exists();
		}
	}

}
