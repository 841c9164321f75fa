package io.jproc.master.bootcache;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The boot caches on disk, shared by every master of a user: one directory per cache, a
 * lock file beside it held while it is prepared or removed (a {@link CacheLock}, deleted
 * with the directory), and a {@code ready} marker that publishes it (written by an atomic
 * rename, so a directory without it is never used). Keeps the most recently used caches
 * and removes the others.
 */
final class BootCacheStore {

	private static final Log logger = LogFactory.getLog(BootCacheStore.class);

	private static final Duration ABANDONED_AFTER = Duration.ofHours(1);

	/** Caches kept besides the current one. */
	static final int KEEP_OLD = 2;

	private static final String MARKER = "ready";

	private static final String LOCK_SUFFIX = ".lock";

	private BootCacheStore() {
	}

	static Path marker(Path dir) {
		return dir.resolve(MARKER);
	}

	/**
	 * Mark a cache as used now, so that the clean-up of other masters keeps it.
	 * @param dir the cache directory
	 */
	static void touch(Path dir) {
		try {
			Files.setLastModifiedTime(marker(dir), FileTime.from(Instant.now()));
		}
		catch (IOException ex) {
			// Only the clean-up order depends on it.
		}
	}

	static Path lockFile(Path root, Path dir) {
		return root.resolve(dir.getFileName() + LOCK_SUFFIX);
	}

	/**
	 * Publish a prepared cache: write its marker under another name, then rename it.
	 * @param dir the cache directory
	 * @param content what the marker says
	 * @throws IOException if it cannot be written
	 */
	static void publish(Path dir, String content) throws IOException {
		Path temporary = dir.resolve(MARKER + ".tmp");
		Files.writeString(temporary, content);
		Files.move(temporary, marker(dir), StandardCopyOption.ATOMIC_MOVE);
	}

	/**
	 * Delete the caches beyond the {@link #KEEP_OLD} most recently used ones, and
	 * preparations abandoned long ago, each only while holding its lock.
	 * @param root the root directory of every cache
	 * @param current the cache in use, which is kept
	 */
	static void cleanUp(Path root, Path current) {
		List<Path> published = new ArrayList<>();
		List<Path> abandoned = new ArrayList<>();
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, Files::isDirectory)) {
			for (Path entry : entries) {
				if (entry.equals(current) || entry.getFileName().toString().startsWith(".")) {
					continue;
				}
				if (Files.isRegularFile(marker(entry))) {
					published.add(entry);
				}
				else if (Files.getLastModifiedTime(entry).toInstant().isBefore(Instant.now().minus(ABANDONED_AFTER))) {
					abandoned.add(entry);
				}
			}
		}
		catch (IOException ex) {
			return;
		}
		published.sort(Comparator.comparing(BootCacheStore::lastUsed).reversed());
		List<Path> doomed = new ArrayList<>(abandoned);
		doomed.addAll(published.subList(Math.min(KEEP_OLD, published.size()), published.size()));
		for (Path dir : doomed) {
			try (CacheLock lock = CacheLock.tryAcquire(lockFile(root, dir))) {
				if (lock != null) {
					// The marker first: a master that still sees it expects the whole
					// tree.
					Files.deleteIfExists(marker(dir));
					deleteTree(dir);
					lock.deleteFile();
					logger.info("jproc boot cache: removed the old cache " + dir);
				}
			}
			catch (IOException ex) {
				// In use or gone: leave it for another time.
			}
		}
		removeOrphanLockFiles(root);
	}

	/**
	 * Delete the lock files whose directory is gone (left by versions that kept them, or
	 * by a clean-up that could not delete them), each only while holding it.
	 * @param root the root directory of every cache
	 */
	private static void removeOrphanLockFiles(Path root) {
		List<Path> orphans = new ArrayList<>();
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, "*" + LOCK_SUFFIX)) {
			for (Path entry : entries) {
				if (Files.isRegularFile(entry) && !Files.exists(directoryOf(entry))) {
					orphans.add(entry);
				}
			}
		}
		catch (IOException ex) {
			return;
		}
		for (Path lockFile : orphans) {
			try (CacheLock lock = CacheLock.tryAcquire(lockFile)) {
				// Held: its directory is being prepared. Taken: nobody prepares it now.
				if (lock != null && !Files.exists(directoryOf(lockFile))) {
					lock.deleteFile();
				}
			}
			catch (IOException ex) {
				// Leave it for another time.
			}
		}
	}

	private static Path directoryOf(Path lockFile) {
		String name = lockFile.getFileName().toString();
		return lockFile.resolveSibling(name.substring(0, name.length() - LOCK_SUFFIX.length()));
	}

	private static FileTime lastUsed(Path dir) {
		try {
			return Files.getLastModifiedTime(marker(dir));
		}
		catch (IOException ex) {
			return FileTime.fromMillis(0);
		}
	}

	static void deleteTree(Path dir) throws IOException {
		if (!Files.exists(dir)) {
			return;
		}
		Files.walkFileTree(dir, new SimpleFileVisitor<>() {

			@Override
			public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
				Files.delete(file);
				return FileVisitResult.CONTINUE;
			}

			@Override
			public FileVisitResult postVisitDirectory(Path directory, @Nullable IOException ex) throws IOException {
				Files.delete(directory);
				return FileVisitResult.CONTINUE;
			}

		});
	}

}
