package io.jproc.master.bootcache;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * What the boot cache trusts on disk: only what this user made. Directories it creates
 * are {@code 0700} and files {@code 0600} whatever the umask; a root that another user
 * owns or can write, or that is (or lies under) a symbolic link another user made, is
 * refused; nothing inside a cache is opened through a symbolic link; and what a cache
 * publishes is recorded by its SHA-256 digests ({@link Manifest}) and checked before a
 * worker starts from it.
 */
final class CacheFiles {

	static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");

	static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

	private static final Set<PosixFilePermission> OTHERS_WRITE = Set.of(PosixFilePermission.GROUP_WRITE,
			PosixFilePermission.OTHERS_WRITE);

	private static final int ROOT_UID = 0;

	/** The first line of a marker this version wrote. */
	static final String MANIFEST_HEADER = "jproc-boot-cache-manifest 1";

	private CacheFiles() {
	}

	/**
	 * Check the root directory of every cache, creating what is missing of it.
	 * @param root the absolute root directory
	 * @return why it is not trusted, {@code null} when it is
	 * @throws IOException if it cannot be read or created
	 */
	static @Nullable String trustRoot(Path root) throws IOException {
		return trustRoot(root, ownUid());
	}

	static @Nullable String trustRoot(Path root, int uid) throws IOException {
		Path absolute = root.toAbsolutePath().normalize();
		List<Path> chain = new ArrayList<>();
		for (Path path = absolute; path != null; path = path.getParent()) {
			chain.add(0, path);
		}
		for (Path path : chain) {
			PosixFileAttributes attributes = attributes(path);
			if (attributes == null) {
				try {
					createPrivateDirectory(path);
				}
				catch (FileAlreadyExistsException ex) {
					// Made meanwhile by someone else: judged below like any other.
				}
				attributes = Objects.requireNonNull(attributes(path), path::toString);
			}
			int owner = uid(path);
			boolean isRoot = path.equals(absolute);
			if (attributes.isSymbolicLink()) {
				if (isRoot) {
					return path + " is a symbolic link";
				}
				if (owner != uid && owner != ROOT_UID) {
					return path + " is a symbolic link made by another user (uid " + owner + ")";
				}
				continue;
			}
			if (!attributes.isDirectory()) {
				return path + " is not a directory";
			}
			if (isRoot && owner != uid) {
				return path + " is owned by another user (uid " + owner + ")";
			}
			if (!isRoot && owner != uid && owner != ROOT_UID) {
				return path + " (above it) is owned by another user (uid " + owner + ")";
			}
			boolean writableByOthers = attributes.permissions().stream().anyMatch(OTHERS_WRITE::contains);
			if (isRoot && writableByOthers) {
				return path + " can be written by other users (mode "
						+ PosixFilePermissions.toString(attributes.permissions()) + ")";
			}
			if (!isRoot && writableByOthers && !sticky(path)) {
				return path + " (above it) can be written by other users (mode "
						+ PosixFilePermissions.toString(attributes.permissions()) + ", not sticky)";
			}
		}
		return null;
	}

	/**
	 * Check one cache directory found in a trusted root.
	 * @param dir the cache directory
	 * @return why it is not trusted, {@code null} when it is
	 * @throws IOException if it cannot be read
	 */
	static @Nullable String trustDirectory(Path dir) throws IOException {
		PosixFileAttributes attributes = attributes(dir);
		if (attributes == null) {
			return dir + " is gone";
		}
		if (attributes.isSymbolicLink() || !attributes.isDirectory()) {
			return dir + " is not a directory (a symbolic link?)";
		}
		int owner = uid(dir);
		if (owner != ownUid()) {
			return dir + " is owned by another user (uid " + owner + ")";
		}
		if (attributes.permissions().stream().anyMatch(OTHERS_WRITE::contains)) {
			return dir + " can be written by other users";
		}
		return null;
	}

	/**
	 * Create a directory with mode 0700, whatever the umask.
	 * @param dir the directory, whose parent exists
	 * @throws IOException if it exists or cannot be created
	 */
	static void createPrivateDirectory(Path dir) throws IOException {
		Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIRECTORY_MODE));
		setMode(dir, DIRECTORY_MODE);
	}

	/**
	 * Create an empty file with mode 0600, whatever the umask, unless it exists; never
	 * through a symbolic link.
	 * @param file the file
	 * @throws IOException if it cannot be created
	 */
	static void createPrivateFile(Path file) throws IOException {
		FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(FILE_MODE);
		try {
			Files.newByteChannel(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), mode).close();
		}
		catch (FileAlreadyExistsException ex) {
			return;
		}
		setMode(file, FILE_MODE);
	}

	/**
	 * Write a file with mode 0600, replacing a regular file but never following a
	 * symbolic link.
	 * @param file the file
	 * @param content its content
	 * @throws IOException if it cannot be written
	 */
	static void writePrivate(Path file, String content) throws IOException {
		Files.deleteIfExists(file);
		FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(FILE_MODE);
		try (var channel = Files.newByteChannel(file,
				Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), mode)) {
			channel.write(java.nio.ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
		}
		setMode(file, FILE_MODE);
	}

	/**
	 * Read a small regular file, never through a symbolic link.
	 * @param file the file
	 * @return its content, {@code null} if it is missing
	 * @throws IOException if it cannot be read
	 */
	static @Nullable String readPrivate(Path file) throws IOException {
		try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
			return new String(in.readNBytes(1 << 20), StandardCharsets.UTF_8);
		}
		catch (NoSuchFileException ex) {
			return null;
		}
	}

	/**
	 * Whether a path is a regular file, not through a symbolic link.
	 * @param file the path
	 * @return {@code true} for a regular file
	 */
	static boolean isRegularFile(Path file) {
		return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS);
	}

	private static void setMode(Path path, Set<PosixFilePermission> mode) throws IOException {
		Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setPermissions(mode);
	}

	private static @Nullable PosixFileAttributes attributes(Path path) throws IOException {
		try {
			return Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
		}
		catch (NoSuchFileException ex) {
			return null;
		}
	}

	private static int uid(Path path) throws IOException {
		return (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
	}

	private static boolean sticky(Path path) throws IOException {
		int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
		return (mode & 01000) != 0;
	}

	/**
	 * This process's (effective) user id: the owner of {@code /proc/self}.
	 * @return the uid
	 * @throws IOException if it cannot be found
	 */
	static int ownUid() throws IOException {
		try {
			return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
		}
		catch (IOException ex) {
			// No /proc: the owner of a file this process creates.
			Path probe = Files.createTempFile("jproc-uid", "");
			try {
				return (Integer) Files.getAttribute(probe, "unix:uid");
			}
			finally {
				Files.deleteIfExists(probe);
			}
		}
	}

	static String sha256(Path file) throws IOException {
		MessageDigest digest;
		try {
			digest = MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
		try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
			byte[] buffer = new byte[1 << 16];
			int read;
			while ((read = in.read(buffer)) > 0) {
				digest.update(buffer, 0, read);
			}
		}
		return HexFormat.of().formatHex(digest.digest());
	}

	/**
	 * The SHA-256 digests of every file a cache publishes (the extracted jar, its
	 * libraries and the class archive), by path relative to the cache directory, and the
	 * identity each file had when it was digested: a file that was written, replaced or
	 * renamed since has another identity ({@link #changed}).
	 *
	 * @param digests the digest of each file
	 * @param stamps the identity of each file when it was digested
	 */
	record Manifest(Map<String, String> digests, Map<String, Stamp> stamps) {

		/**
		 * Digest the published files of a cache directory: everything under it but the
		 * files of the store itself. A symbolic link anywhere makes it untrusted.
		 * @param dir the cache directory
		 * @param skip names at its top that are not published content
		 * @return the manifest
		 * @throws IOException if a file cannot be read, or is a symbolic link
		 */
		static Manifest of(Path dir, Set<String> skip) throws IOException {
			Map<String, String> digests = new LinkedHashMap<>();
			Map<String, Stamp> stamps = new LinkedHashMap<>();
			Files.walkFileTree(dir, new SimpleFileVisitor<>() {

				@Override
				public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attributes) {
					if (!directory.equals(dir) && directory.getParent().equals(dir)
							&& skip.contains(directory.getFileName().toString())) {
						return FileVisitResult.SKIP_SUBTREE;
					}
					return FileVisitResult.CONTINUE;
				}

				@Override
				public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
					if (file.getParent().equals(dir) && skip.contains(file.getFileName().toString())) {
						return FileVisitResult.CONTINUE;
					}
					if (!attributes.isRegularFile()) {
						throw new IOException(file + " is not a regular file (a symbolic link?)");
					}
					String name = dir.relativize(file).toString();
					Stamp before = Stamp.of(file);
					String digest = sha256(file);
					if (!before.equals(Stamp.of(file))) {
						throw new IOException(file + " changed while its digest was taken");
					}
					digests.put(name, digest);
					stamps.put(name, before);
					return FileVisitResult.CONTINUE;
				}

			});
			return new Manifest(Map.copyOf(digests), Map.copyOf(stamps));
		}

		/**
		 * The marker's content: a header and one line per file.
		 * @param header more lines to put first
		 * @return the text
		 */
		String text(String header) {
			StringBuilder text = new StringBuilder(MANIFEST_HEADER).append('\n').append(header);
			this.digests.entrySet()
				.stream()
				.sorted(Map.Entry.comparingByKey())
				.forEach((entry) -> text.append("sha256 ")
					.append(entry.getValue())
					.append(' ')
					.append(entry.getKey())
					.append('\n'));
			return text.toString();
		}

		/**
		 * The digests a marker records.
		 * @param text the marker's content
		 * @return the digest of each file, {@code null} if the marker records none (an
		 * older version's)
		 */
		static @Nullable Map<String, String> recorded(String text) {
			String[] lines = text.split("\n");
			if (lines.length == 0 || !lines[0].equals(MANIFEST_HEADER)) {
				return null;
			}
			Map<String, String> digests = new LinkedHashMap<>();
			for (String line : lines) {
				if (line.startsWith("sha256 ")) {
					String[] parts = line.split(" ", 3);
					if (parts.length == 3) {
						digests.put(parts[2], parts[1]);
					}
				}
			}
			return digests;
		}

		/**
		 * What changed since the files were digested, without reading them.
		 * @param dir the cache directory
		 * @return the first changed file, {@code null} if none
		 */
		@Nullable String changed(Path dir) {
			for (Map.Entry<String, Stamp> entry : this.stamps.entrySet()) {
				Path file = dir.resolve(entry.getKey());
				try {
					if (!entry.getValue().equals(Stamp.of(file))) {
						return file + " changed since its digest was checked";
					}
				}
				catch (IOException ex) {
					return file + " cannot be read (" + ex.getMessage() + ")";
				}
			}
			return null;
		}

	}

	/**
	 * What identifies a file's content without reading it: any write, replacement or
	 * change of mode moves its change time, which no user can set back.
	 *
	 * @param fileKey device and inode
	 * @param size the size
	 * @param modified the modification time
	 * @param changed the change time
	 */
	record Stamp(Object fileKey, long size, Object modified, Object changed) {

		static Stamp of(Path file) throws IOException {
			Map<String, Object> attributes = Files.readAttributes(file, "unix:ino,dev,size,lastModifiedTime,ctime",
					LinkOption.NOFOLLOW_LINKS);
			return new Stamp(List.of(attributes.get("dev"), attributes.get("ino")), (Long) attributes.get("size"),
					attributes.get("lastModifiedTime"), attributes.get("ctime"));
		}

	}

}
