package io.jproc.master.systemd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link JarWatch}.
 */
class JarWatchTests {

	private static final Instant NOW = Instant.parse("2025-01-02T03:04:05Z");

	@TempDir
	Path temp;

	@Test
	void jarReplacedByRenameIsNoWarning() throws IOException {
		Path jar = Files.writeString(this.temp.resolve("app.jar"), "build 1");
		JarWatch watch = new JarWatch(jar);
		Path next = Files.writeString(this.temp.resolve("app.jar.new"), "build 2, longer");
		Files.move(next, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		watch.check(NOW);
		assertThat(watch.warning()).isNull();
	}

	@Test
	void jarOverwrittenInPlaceIsAWarningThatSaysWhatToDo() throws IOException {
		Path jar = Files.writeString(this.temp.resolve("app.jar"), "build 1");
		JarWatch watch = new JarWatch(jar);
		watch.check(NOW);
		assertThat(watch.warning()).isNull();
		Files.writeString(jar, "build 2, longer");
		Files.setLastModifiedTime(jar, FileTime.from(NOW.plusSeconds(60)));
		watch.check(NOW.plusSeconds(2));
		assertThat(watch.warning()).contains("overwritten in place")
			.contains("Install new builds by rename")
			.contains("restart the master");
	}

	@Test
	void jarOfCommandLine() {
		assertThat(JarWatch.jarOf(List.of("-Xmx1g", "-jar", "app.jar", "--x=1")))
			.isEqualTo(Path.of("app.jar").toAbsolutePath());
		assertThat(JarWatch.jarOf(List.of("-cp", "a.jar", "com.example.Main"))).isNull();
	}

}
