package io.jproc.master.systemd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import io.jproc.master.process.WorkerCommand;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Watches the jar the master was started from ({@code java -jar app.jar}). A jar replaced
 * by rename is a new file: the master and running workers keep the old one open, and the
 * next reload starts workers from the new build. A jar overwritten in place (same file,
 * new content) breaks class loading in every JVM that has it open, the master included:
 * that is reported in the log and in {@code /actuator/workers} with what to do.
 */
public final class JarWatch {

	private static final Log logger = LogFactory.getLog(JarWatch.class);

	private static final Duration INTERVAL = Duration.ofSeconds(1);

	private final @Nullable Path jar;

	private final @Nullable Fingerprint started;

	private @Nullable Fingerprint lastSeen;

	private @Nullable Instant nextCheck;

	private @Nullable String warning;

	public JarWatch(@Nullable Path jar) {
		this.jar = jar;
		this.started = (jar != null) ? Fingerprint.of(jar) : null;
		this.lastSeen = this.started;
	}

	/**
	 * The jar named after {@code -jar} in this process's command line.
	 * @return the watch, idle when the process was not started with {@code -jar}
	 */
	public static JarWatch forCurrentProcess() {
		List<String> argv;
		try {
			argv = WorkerCommand.masterCommand();
		}
		catch (IllegalStateException ex) {
			argv = List.of("java");
		}
		return new JarWatch(jarOf(argv.subList(1, argv.size())));
	}

	static @Nullable Path jarOf(List<String> arguments) {
		int at = arguments.indexOf("-jar");
		if (at < 0 || at + 1 >= arguments.size()) {
			return null;
		}
		return Path.of(arguments.get(at + 1)).toAbsolutePath();
	}

	/**
	 * Look at the jar at most once a second.
	 * @param now the time
	 */
	void check(Instant now) {
		if (this.jar == null || this.started == null || (this.nextCheck != null && now.isBefore(this.nextCheck))) {
			return;
		}
		this.nextCheck = now.plus(INTERVAL);
		Fingerprint current = Fingerprint.of(this.jar);
		if (current == null || current.equals(this.lastSeen)) {
			return;
		}
		Fingerprint previous = this.lastSeen;
		this.lastSeen = current;
		if (previous != null && Objects.equals(current.fileKey(), previous.fileKey())) {
			this.warning = "the application jar " + this.jar + " was overwritten in place (same file, new content): "
					+ "the master and workers that have it open may fail to load classes. Install new builds by "
					+ "rename (copy to a temporary file in the same directory, then mv it over "
					+ this.jar.getFileName() + "), and restart the master now (a reload is not enough: the master "
					+ "keeps the file it started from open)";
			logger.error("jproc master: " + this.warning);
		}
		else {
			// A warning stays: the processes that had the overwritten file open stay
			// broken.
			logger.info("jproc master: the application jar " + this.jar + " was replaced by a new file; workers "
					+ "started from now on (reload with SIGHUP) run the new build");
		}
	}

	/**
	 * What to tell the operator.
	 * @return the warning, {@code null} unless the jar was overwritten in place since
	 * start
	 */
	@Nullable String warning() {
		return this.warning;
	}

	/**
	 * What identifies a file's content cheaply: its identity, size and modification time.
	 *
	 * @param fileKey the file's identity, such as device and inode, if the file system
	 * has one
	 * @param size the file's size in bytes
	 * @param modifiedMillis the file's modification time, in milliseconds since the epoch
	 */
	record Fingerprint(@Nullable Object fileKey, long size, long modifiedMillis) {

		static @Nullable Fingerprint of(Path path) {
			try {
				BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
				return new Fingerprint(attributes.fileKey(), attributes.size(),
						attributes.lastModifiedTime().toMillis());
			}
			catch (IOException ex) {
				// Missing for a moment during a deploy; look again later.
				return null;
			}
		}

	}

}
