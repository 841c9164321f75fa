package io.jproc.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link BootCacheCheck}.
 */
class BootCacheCheckTests {

	@TempDir
	Path temp;

	@Test
	void usedWhenTheArchiveIsMapped() throws IOException {
		Path maps = Files.writeString(this.temp.resolve("maps"), """
				800000000-800e4c000 rw-p 00001000 fd:01 1573 /home/u/.cache/jproc/app-1/app.jsa
				7f3c00000000-7f3c00021000 rw-p 00000000 00:00 0
				""");
		assertThat(BootCacheCheck.used("/home/u/.cache/jproc/app-1/app.jsa", maps)).isTrue();
		assertThat(BootCacheCheck.used("/home/u/.cache/jproc/app-2/app.jsa", maps)).isFalse();
		assertThat(BootCacheCheck.used(null, maps)).isFalse();
		assertThat(BootCacheCheck.used("/x", this.temp.resolve("missing"))).isFalse();
	}

	@Test
	void thisJvmDoesNotMapAnArchiveItWasNotGiven() {
		assertThat(BootCacheCheck.used("/no/such/archive.jsa")).isFalse();
	}

}
