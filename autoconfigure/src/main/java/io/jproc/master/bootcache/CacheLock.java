package io.jproc.master.bootcache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * The exclusive lock on one boot cache directory, between the masters of a user and the
 * threads of one master: a lock on a file beside the directory.
 * <p>
 * The lock file is deleted with its directory, so that lock files do not pile up. A lock
 * is therefore valid only while its path still names the file that was locked: a process
 * that opened the file before it was deleted would lock the deleted file after, while a
 * third one creates and locks a new file under the same name. The holder checks it by
 * writing a token through its channel and reading it back through the path; nobody else
 * can write to the locked file meanwhile, and another file under that name holds another
 * token or none.
 */
final class CacheLock implements AutoCloseable {

	private static final int ATTEMPTS = 3;

	private final Path file;

	private final FileChannel channel;

	private CacheLock(Path file, FileChannel channel) {
		this.file = file;
		this.channel = channel;
	}

	/**
	 * Take the lock if nobody holds it.
	 * @param file the lock file, created if missing
	 * @return the lock, or {@code null} if another process or thread holds it
	 * @throws IOException if the file cannot be created or written
	 */
	static @Nullable CacheLock tryAcquire(Path file) throws IOException {
		for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
			CacheLock lock = lock(file, FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE));
			if (lock != null) {
				return lock;
			}
			// Held, or the file we locked had been deleted: look again at what has the
			// name now.
		}
		return null;
	}

	/**
	 * Lock a file opened earlier, and check that the path still names it.
	 * @param file the lock file's path
	 * @param channel a channel opened on it, closed unless the lock is returned
	 * @return the lock, or {@code null} if the file is locked by someone else or no
	 * longer has the name
	 * @throws IOException if the file cannot be written
	 */
	static @Nullable CacheLock lock(Path file, FileChannel channel) throws IOException {
		try {
			if (tryLock(channel) != null && names(file, channel)) {
				return new CacheLock(file, channel);
			}
		}
		catch (IOException | RuntimeException ex) {
			channel.close();
			throw ex;
		}
		channel.close();
		return null;
	}

	private static @Nullable FileLock tryLock(FileChannel channel) throws IOException {
		try {
			return channel.tryLock();
		}
		catch (OverlappingFileLockException ex) {
			// Held by another thread of this JVM.
			return null;
		}
	}

	private static boolean names(Path file, FileChannel channel) throws IOException {
		byte[] token = (ProcessHandle.current().pid() + " " + UUID.randomUUID()).getBytes(StandardCharsets.US_ASCII);
		channel.truncate(0);
		channel.write(ByteBuffer.wrap(token), 0);
		try {
			return Arrays.equals(Files.readAllBytes(file), token);
		}
		catch (NoSuchFileException ex) {
			return false;
		}
	}

	/**
	 * Delete the lock file while the lock is still held (call it after the directory is
	 * gone); whoever locks the deleted file later sees that it no longer has the name.
	 * @throws IOException if it cannot be deleted
	 */
	void deleteFile() throws IOException {
		Files.deleteIfExists(this.file);
	}

	/**
	 * Release the lock.
	 * @throws IOException if the channel cannot be closed
	 */
	@Override
	public void close() throws IOException {
		this.channel.close();
	}

}
