package io.jproc.master.bootcache;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The boot caches on disk, shared by every master of a user: one directory per cache, a
 * lock file beside it held while it is prepared or removed (a {@link CacheLock}, deleted
 * with the directory), and a {@code ready} marker that publishes it (written by an atomic
 * rename, so a directory without it is never used; it records the SHA-256 digest of every
 * published file, checked before use). A master that starts workers from a cache holds a
 * shared lock on it ({@link CacheLock#tryUse}), and a removal needs that one exclusively
 * too, so no clean-up removes a cache a running pool uses. Keeps the most recently used
 * caches and removes the others.
 */
final class BootCacheStore {

	private static final Log logger = LogFactory.getLog(BootCacheStore.class);

	private static final Duration ABANDONED_AFTER = Duration.ofHours(1);

	/** Caches kept besides the current one. */
	static final int KEEP_OLD = 2;

	private static final String MARKER = "ready";

	/** Written into a cache that a worker started from failed to boot. */
	private static final String FAILED = "failed";

	static final String TRAINING_LOG = "training.log";

	/** The files of the store in a cache directory, not published content. */
	static final Set<String> NOT_CONTENT = Set.of(MARKER, MARKER + ".tmp", FAILED, TRAINING_LOG);

	private static final String LOCK_SUFFIX = ".lock";

	private BootCacheStore() {
	}

	static Path marker(Path dir) {
		return dir.resolve(MARKER);
	}

	/**
	 * Whether a cache is published: its marker is a regular file (never a symbolic link).
	 * @param dir the cache directory
	 * @return {@code true} if it is
	 */
	static boolean isPublished(Path dir) {
		return CacheFiles.isRegularFile(marker(dir));
	}

	/**
	 * Why a cache was marked failed by a master whose worker failed to boot from it.
	 * @param dir the cache directory
	 * @return the reason, {@code null} if it was not
	 */
	static @Nullable String failedMark(Path dir) {
		try {
			String reason = CacheFiles.readPrivate(dir.resolve(FAILED));
			return (reason != null) ? reason.strip() : null;
		}
		catch (IOException ex) {
			return "its failed mark cannot be read (" + ex.getMessage() + ")";
		}
	}

	/**
	 * Mark a cache failed for every later master with the same key: a worker started from
	 * it failed to boot, and starting from the jar is what the pool needs.
	 * @param dir the cache directory
	 * @param reason why
	 */
	static void markFailed(Path dir, String reason) {
		try {
			CacheFiles.writePrivate(dir.resolve(FAILED), reason + "\n");
		}
		catch (IOException ex) {
			logger.warn("jproc boot cache: cannot mark " + dir + " failed (" + ex.getMessage()
					+ "); the next master may try it again");
		}
	}

	/**
	 * Whether a published cache's marker records digests (an older version's does not:
	 * such a cache is prepared again).
	 * @param dir the cache directory
	 * @return {@code true} if it does, or if the marker cannot be read (then
	 * {@link #verify} says why)
	 */
	static boolean recordsDigests(Path dir) {
		try {
			String text = CacheFiles.readPrivate(marker(dir));
			return text == null || CacheFiles.Manifest.recorded(text) != null;
		}
		catch (IOException ex) {
			return true;
		}
	}

	/**
	 * Check a published cache against the digests its marker records.
	 * @param dir the cache directory
	 * @return the checked manifest
	 * @throws IOException with the reason when it does not match, or cannot be read
	 */
	static CacheFiles.Manifest verify(Path dir) throws IOException {
		String untrusted = CacheFiles.trustDirectory(dir);
		if (untrusted != null) {
			throw new IOException(untrusted);
		}
		String text = CacheFiles.readPrivate(marker(dir));
		if (text == null) {
			throw new IOException("its marker is gone");
		}
		Map<String, String> recorded = CacheFiles.Manifest.recorded(text);
		if (recorded == null || recorded.isEmpty()) {
			throw new IOException("its marker records no digest (written by an older version)");
		}
		CacheFiles.Manifest found = CacheFiles.Manifest.of(dir, NOT_CONTENT);
		for (Map.Entry<String, String> entry : recorded.entrySet()) {
			String digest = found.digests().get(entry.getKey());
			if (digest == null) {
				throw new IOException(dir.resolve(entry.getKey()) + " is missing");
			}
			if (!digest.equals(entry.getValue())) {
				throw new IOException("the SHA-256 digest of " + dir.resolve(entry.getKey())
						+ " does not match the one recorded when it was published");
			}
		}
		for (String name : found.digests().keySet()) {
			if (!recorded.containsKey(name)) {
				throw new IOException(dir.resolve(name) + " was not published with it");
			}
		}
		return found;
	}

	/**
	 * Mark a cache as used now, so that the clean-up of other masters keeps it.
	 * @param dir the cache directory
	 */
	static void touch(Path dir) {
		try {
			Files.getFileAttributeView(marker(dir), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
				.setTimes(FileTime.from(Instant.now()), null, null);
		}
		catch (IOException ex) {
			// Only the clean-up order depends on it.
		}
	}

	static Path lockFile(Path root, Path dir) {
		return root.resolve(dir.getFileName() + LOCK_SUFFIX);
	}

	/**
	 * Publish a prepared cache: digest what it holds, write its marker (mode 0600) under
	 * another name, then rename it.
	 * @param dir the cache directory
	 * @param header what the marker says before the digests
	 * @return the digests, as written into the marker
	 * @throws IOException if it cannot be written
	 */
	static CacheFiles.Manifest publish(Path dir, String header) throws IOException {
		CacheFiles.Manifest manifest = CacheFiles.Manifest.of(dir, NOT_CONTENT);
		Path temporary = dir.resolve(MARKER + ".tmp");
		CacheFiles.writePrivate(temporary, manifest.text(header));
		Files.move(temporary, marker(dir), StandardCopyOption.ATOMIC_MOVE);
		return manifest;
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
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(root,
				(entry) -> Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS))) {
			for (Path entry : entries) {
				if (entry.equals(current) || entry.getFileName().toString().startsWith(".")) {
					continue;
				}
				if (isPublished(entry)) {
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
				// Nobody prepares it, and no running master uses it.
				if (lock != null && lock.tryRemoval()) {
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
				if (CacheFiles.isRegularFile(entry) && !Files.exists(directoryOf(entry), LinkOption.NOFOLLOW_LINKS)) {
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
				if (lock != null && lock.tryRemoval()
						&& !Files.exists(directoryOf(lockFile), LinkOption.NOFOLLOW_LINKS)) {
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
			return Files.getLastModifiedTime(marker(dir), LinkOption.NOFOLLOW_LINKS);
		}
		catch (IOException ex) {
			return FileTime.fromMillis(0);
		}
	}

	static void deleteTree(Path dir) throws IOException {
		if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
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
