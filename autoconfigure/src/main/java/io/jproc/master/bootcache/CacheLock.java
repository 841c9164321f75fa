package io.jproc.master.bootcache;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * The locks on one boot cache directory, between the masters of a user and the threads of
 * one master: byte-range locks on a file beside the directory.
 * <ul>
 * <li>byte 0, exclusive: the cache is prepared or removed ({@link #tryAcquire});</li>
 * <li>byte 1, shared: a master starts workers from the cache ({@link #tryUse}); a removal
 * takes it exclusively too ({@link #tryRemoval}), so another master's clean-up never
 * deletes a cache that a running pool uses.</li>
 * </ul>
 * <p>
 * These are POSIX record locks, which a process loses on a file as soon as it closes
 * <em>any</em> descriptor of that file: the file is never opened twice in this JVM (one
 * channel per lock file, shared by its holders here), and never read back through its
 * path. The lock file is deleted with its directory, so that lock files do not pile up. A
 * lock is therefore valid only while its path still names the file that was locked: a
 * process that opened the file before it was deleted would lock the deleted file after,
 * while a third one creates and locks a new file under the same name. The holder checks
 * it by comparing the file the path names before it opened it with the one it names once
 * the lock is held: the opened file cannot be replaced by another with the same identity
 * while it is open.
 */
final class CacheLock implements AutoCloseable {

	private static final int ATTEMPTS = 3;

	/** The byte held exclusively while a cache is prepared or removed. */
	private static final long PREPARE = 0;

	/** The byte held shared while a cache is used, exclusively while it is removed. */
	private static final long USE = 1;

	/** The lock files this JVM has open, by path. Guarded by itself. */
	private static final Map<Path, Handle> OPEN = new HashMap<>();

	private final Handle handle;

	private final boolean user;

	private boolean closed;

	private CacheLock(Handle handle, boolean user) {
		this.handle = handle;
		this.user = user;
	}

	/**
	 * Take the exclusive lock (to prepare or remove the cache) if nobody holds it.
	 * @param file the lock file, created (mode 0600) if missing, never through a symbolic
	 * link
	 * @return the lock, or {@code null} if another process or thread holds it, or uses
	 * the cache
	 * @throws IOException if the file cannot be created or opened
	 */
	static @Nullable CacheLock tryAcquire(Path file) throws IOException {
		Path key = file.toAbsolutePath().normalize();
		synchronized (OPEN) {
			if (OPEN.containsKey(key)) {
				// Opening it again and closing it would drop the locks of its holder.
				return null;
			}
			for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
				Object identity = identity(key);
				if (identity == null) {
					// Create it, then look again: only a file that had the name before
					// it was opened can be checked.
					CacheFiles.createPrivateFile(key);
					continue;
				}
				FileChannel channel = open(key);
				Handle handle = new Handle(key, channel);
				handle.prepare = lock(key, channel, identity, PREPARE, false);
				if (handle.prepare != null) {
					OPEN.put(key, handle);
					return new CacheLock(handle, false);
				}
			}
			return null;
		}
	}

	/**
	 * Take a shared lock that says a master starts workers from the cache: no removal can
	 * take place while one is held.
	 * @param file the lock file
	 * @return the lock, or {@code null} if the cache is being prepared or removed (by
	 * this JVM, or by another process for the removal)
	 * @throws IOException if the file cannot be created or opened
	 */
	static @Nullable CacheLock tryUse(Path file) throws IOException {
		Path key = file.toAbsolutePath().normalize();
		synchronized (OPEN) {
			Handle open = OPEN.get(key);
			if (open != null) {
				if (open.use == null || !open.use.isShared()) {
					return null;
				}
				open.users++;
				return new CacheLock(open, true);
			}
			for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
				Object identity = identity(key);
				if (identity == null) {
					CacheFiles.createPrivateFile(key);
					continue;
				}
				FileChannel channel = open(key);
				Handle handle = new Handle(key, channel);
				handle.use = lock(key, channel, identity, USE, true);
				if (handle.use != null) {
					handle.users = 1;
					OPEN.put(key, handle);
					return new CacheLock(handle, true);
				}
			}
			return null;
		}
	}

	/**
	 * Lock a file opened earlier, and check that the path still names it.
	 * @param file the lock file's path
	 * @param channel a channel opened on it, closed unless the lock is returned
	 * @param identity the file key the path had before the channel was opened
	 * @param position the byte to lock
	 * @param shared whether the lock is shared
	 * @return the lock, or {@code null} if the file is locked by someone else or no
	 * longer has the name
	 * @throws IOException if the file cannot be locked
	 */
	static @Nullable FileLock lock(Path file, FileChannel channel, Object identity, long position, boolean shared)
			throws IOException {
		try {
			FileLock lock = tryLock(channel, position, shared);
			if (lock != null && identity.equals(identity(file))) {
				return lock;
			}
		}
		catch (IOException | RuntimeException ex) {
			channel.close();
			throw ex;
		}
		channel.close();
		return null;
	}

	/**
	 * The identity of the file a path names, without opening it.
	 * @param file the path
	 * @return its file key, {@code null} if nothing has the name
	 * @throws IOException if it cannot be read
	 */
	static @Nullable Object identity(Path file) throws IOException {
		try {
			BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class,
					LinkOption.NOFOLLOW_LINKS);
			if (!attributes.isRegularFile()) {
				throw new IOException(file + " is not a regular file");
			}
			return Objects.requireNonNull(attributes.fileKey(), "file key");
		}
		catch (NoSuchFileException ex) {
			return null;
		}
	}

	private static FileChannel open(Path file) throws IOException {
		return FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
	}

	private static @Nullable FileLock tryLock(FileChannel channel, long position, boolean shared) throws IOException {
		try {
			return channel.tryLock(position, 1, shared);
		}
		catch (OverlappingFileLockException ex) {
			// Held by this JVM through another channel (only in tests).
			return null;
		}
	}

	/**
	 * With the exclusive lock held: also take the use lock exclusively, which succeeds
	 * only when no master uses the cache. Held until {@link #close()}.
	 * @return whether nobody uses the cache, which may then be removed
	 * @throws IOException if the file cannot be locked
	 */
	boolean tryRemoval() throws IOException {
		synchronized (OPEN) {
			if (this.user || this.handle.use != null) {
				return false;
			}
			this.handle.use = tryLock(this.handle.channel, USE, false);
			return this.handle.use != null;
		}
	}

	/**
	 * The cache this exclusive lock prepared is published: use it. Takes the shared use
	 * lock before the exclusive one is released, on the same channel, so that no clean-up
	 * can come in between.
	 * @return the use lock; this lock is then released
	 * @throws IOException if the use lock cannot be taken
	 */
	CacheLock toUse() throws IOException {
		synchronized (OPEN) {
			if (this.user || this.closed) {
				throw new IllegalStateException("not an exclusive lock");
			}
			FileLock removal = this.handle.use;
			if (removal != null) {
				// Taken to remove an older cache under the same name; the byte 0 lock
				// keeps other masters away meanwhile.
				removal.release();
			}
			FileLock use = this.handle.channel.lock(USE, 1, true);
			this.handle.use = use;
			this.handle.users = 1;
			FileLock prepare = this.handle.prepare;
			this.handle.prepare = null;
			if (prepare != null) {
				prepare.release();
			}
			this.closed = true;
			return new CacheLock(this.handle, true);
		}
	}

	/**
	 * Delete the lock file while the lock is still held (call it after the directory is
	 * gone); whoever locks the deleted file later sees that it no longer has the name.
	 * @throws IOException if it cannot be deleted
	 */
	void deleteFile() throws IOException {
		Files.deleteIfExists(this.handle.file);
	}

	/**
	 * Release the lock: a use lock once the last holder in this JVM releases it.
	 * @throws IOException if the channel cannot be closed
	 */
	@Override
	public void close() throws IOException {
		synchronized (OPEN) {
			if (this.closed) {
				return;
			}
			this.closed = true;
			if (this.user && --this.handle.users > 0) {
				return;
			}
			OPEN.remove(this.handle.file, this.handle);
			this.handle.channel.close();
		}
	}

	/** The one open channel of a lock file in this JVM, and the locks held on it. */
	private static final class Handle {

		private final Path file;

		private final FileChannel channel;

		private @Nullable FileLock prepare;

		private @Nullable FileLock use;

		private int users;

		Handle(Path file, FileChannel channel) {
			this.file = file;
			this.channel = channel;
		}

	}

}
