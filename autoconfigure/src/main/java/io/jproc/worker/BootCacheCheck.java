package io.jproc.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

/**
 * Whether this JVM really uses the class archive of the boot cache. The command line only
 * says what was asked: a JVM that finds the archive stale, corrupt or made for other
 * options logs a warning and boots without it. What tells is the memory map: the JVM maps
 * an archive it uses into the process ({@code /proc/self/maps} names the file) and unmaps
 * one it rejects. Checked on JDK 17 (dynamic AppCDS) and 25 (AOT cache).
 */
final class BootCacheCheck {

	private static final Path MAPS = Path.of("/proc/self/maps");

	private BootCacheCheck() {
	}

	/**
	 * Whether this process maps the archive.
	 * @param archive the archive the master started the worker with, {@code null} if none
	 * @return {@code true} when it is mapped
	 */
	static boolean used(@Nullable String archive) {
		return used(archive, MAPS);
	}

	static boolean used(@Nullable String archive, Path maps) {
		if (archive == null) {
			return false;
		}
		try (Stream<String> lines = Files.lines(maps)) {
			return lines.anyMatch((line) -> line.endsWith(" " + archive));
		}
		catch (IOException | RuntimeException ex) {
			return false;
		}
	}

}
