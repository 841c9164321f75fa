package io.jproc.master.bootcache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import io.jproc.JprocProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link BootCache} and {@link BootCacheTraining}, with helper processes faked.
 */
class BootCacheTests {

	@TempDir
	Path temp;

	private final FakeRunner runner = new FakeRunner();

	@Test
	void offWhenDisabled() throws IOException {
		JprocProperties.BootCache properties = properties();
		properties.setEnabled(false);
		BootCache cache = BootCache.create(properties, argv(jar("app.jar")), helpers());
		assertThat(cache.state()).isEqualTo(BootCache.State.OFF);
		assertThat(cache.status().reason()).isEqualTo("jproc.boot-cache.enabled=false");
		assertThat(cache.launch().argv()).isEqualTo(argv(jar("app.jar")));
	}

	@Test
	void offWithoutJarOrWhenTheUserChoseAnArchive() throws IOException {
		assertThat(BootCache.create(properties(), List.of("java", "-cp", "x", "Main"), helpers()).reason())
			.contains("not started with java -jar");
		BootCache cache = BootCache.create(properties(),
				List.of("java", "-XX:SharedArchiveFile=my.jsa", "-jar", jar("app.jar").toString()), helpers());
		assertThat(cache.state()).isEqualTo(BootCache.State.OFF);
		assertThat(cache.reason()).contains("-XX:SharedArchiveFile=my.jsa");
	}

	@Test
	void unwritableDirectoryFailsTheCacheNotThePool() throws IOException {
		JprocProperties.BootCache properties = properties();
		Path file = Files.writeString(this.temp.resolve("a-file"), "x");
		properties.setDir(file.resolve("cache"));
		BootCache cache = BootCache.create(properties, argv(jar("app.jar")), helpers());
		assertThat(cache.state()).isEqualTo(BootCache.State.FAILED);
		assertThat(cache.reason()).contains("a-file is not a directory");
		assertThat(cache.launch().archive()).isNull();
	}

	@Test
	void firstWorkersStartFromTheJarAndLaterOnesFromTheTrainedCache() throws IOException {
		Path jar = jar("app.jar");
		BootCache cache = BootCache.create(properties(), argv(jar), helpers());
		assertThat(cache.state()).isEqualTo(BootCache.State.TRAINING);
		assertThat(cache.launch()).isEqualTo(new BootCache.Launch(argv(jar), null));
		cache.poolReady();
		await().atMost(Duration.ofSeconds(10)).until(() -> cache.state() == BootCache.State.READY);
		assertThat(this.runner.started).hasSize(2);
		assertThat(this.runner.started.get(0)).contains("-Djarmode=tools", "extract");
		List<String> training = this.runner.started.get(1);
		assertThat(training)
			.anyMatch((arg) -> arg.startsWith("-XX:ArchiveClassesAtExit=") || arg.startsWith("-XX:AOTCacheOutput="));
		assertThat(training).contains("--server.port=0", "--server.address=127.0.0.1", "--jproc.workers=0")
			.doesNotContain("--server.port=8080");
		BootCache.Launch launch = cache.launch();
		assertThat(launch.archive()).isNotNull();
		assertThat(launch.argv()).contains("-Xmx64m", "--server.port=8080")
			.anyMatch((arg) -> arg.endsWith("/app/app.jar"))
			.anyMatch((arg) -> arg.contains(launch.archive().toString()));
		assertThat(cache.status().state()).isEqualTo("ready");
		// Another master with the same jar and options finds it ready at once.
		BootCache second = BootCache.create(properties(), argv(jar), helpers());
		assertThat(second.state()).isEqualTo(BootCache.State.READY);
		assertThat(second.launch().archive()).isEqualTo(launch.archive());
	}

	@Test
	void failedTrainingLeavesWorkersOnTheJar() throws IOException {
		this.runner.trainingExit = 1;
		Path jar = jar("app.jar");
		BootCache cache = BootCache.create(properties(), argv(jar), helpers());
		cache.poolReady();
		await().atMost(Duration.ofSeconds(10)).until(() -> cache.state() == BootCache.State.FAILED);
		assertThat(cache.reason()).contains("exit code 1").contains("training.log");
		assertThat(cache.launch()).isEqualTo(new BootCache.Launch(argv(jar), null));
		// The extracted jar and any partial archive go; the log the reason names stays.
		Path dir = Path.of(cache.status().path());
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(list(dir)).containsExactly("training.log"));
	}

	@Test
	void aPreparationStoppedWithTheMasterLeavesNothingBehind() throws IOException {
		this.runner.trainingRunsUntilKilled = true;
		Path jar = jar("app.jar");
		BootCache cache = BootCache.create(properties(), argv(jar), helpers());
		cache.poolReady();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.runner.started.size() == 2);
		Path dir = Path.of(cache.status().path());
		assertThat(dir.resolve("app")).isDirectory();
		long closing = System.nanoTime();
		cache.close();
		// Asked to stop first; killed only after the grace, since it did not stop.
		assertThat(this.runner.terminated).contains(2L);
		assertThat(this.runner.killed).contains(2L);
		assertThat(Duration.ofNanos(System.nanoTime() - closing)).isGreaterThanOrEqualTo(BootCacheTraining.STOP_GRACE);
		assertThat(dir).doesNotExist();
		assertThat(BootCacheStore.lockFile(dir.getParent(), dir)).doesNotExist();
		assertThat(cache.state()).isEqualTo(BootCache.State.TRAINING);
	}

	@Test
	void aCacheFoundReadyCleansUpOldAndAbandonedOnesOnce() throws IOException {
		Path jar = jar("app.jar");
		BootCache first = trained(jar);
		Path current = Path.of(first.status().path());
		Path root = current.getParent();
		List<Path> old = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			Path dir = published(root, "old-" + i, 1_000_000L * (i + 1));
			old.add(dir);
		}
		Path abandoned = Files.createDirectories(root.resolve("abandoned").resolve("app")).getParent();
		Files.setLastModifiedTime(abandoned,
				java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(Duration.ofHours(2))));
		Path fresh = Files.createDirectories(root.resolve("being-prepared"));
		BootCache second = BootCache.create(properties(), argv(jar), helpers());
		assertThat(second.state()).isEqualTo(BootCache.State.READY);
		second.poolReady();
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			assertThat(old.get(0)).doesNotExist();
			assertThat(abandoned).doesNotExist();
		});
		assertThat(current).isDirectory();
		assertThat(old.get(1)).isDirectory();
		assertThat(old.get(2)).isDirectory();
		assertThat(fresh).as("unpublished but recent: maybe another master's preparation").isDirectory();
		assertThat(this.runner.started).as("nothing to train").hasSize(2);
	}

	@Test
	void aRemovedCacheFallsBackToTheJar() throws IOException {
		Path jar = jar("app.jar");
		BootCache cache = trained(jar);
		BootCacheStore.deleteTree(Path.of(cache.status().path()));
		assertThat(cache.launch().archive()).isNull();
		assertThat(cache.state()).isEqualTo(BootCache.State.FAILED);
	}

	@Test
	void aNewJarGetsItsOwnCache() throws IOException {
		Path jar = jar("app.jar");
		BootCache cache = trained(jar);
		String first = cache.status().path();
		Files.writeString(jar, "another build, another size");
		assertThat(cache.launch().archive()).isNull();
		assertThat(cache.state()).isEqualTo(BootCache.State.TRAINING);
		assertThat(cache.status().path()).isNotEqualTo(first);
	}

	@Test
	void keyFollowsJarContentAndOptions() throws IOException {
		Path jar = jar("app.jar");
		String key = BootCache.key(jar, BootCache.Kind.CDS, List.of("-Xmx1g"));
		assertThat(BootCache.key(jar, BootCache.Kind.CDS, List.of("-Xmx1g"))).isEqualTo(key);
		assertThat(BootCache.key(jar, BootCache.Kind.CDS, List.of("-Xmx2g"))).isNotEqualTo(key);
		assertThat(BootCache.key(jar, BootCache.Kind.AOT, List.of("-Xmx1g"))).isNotEqualTo(key);
		Files.writeString(jar, "changed");
		assertThat(BootCache.key(jar, BootCache.Kind.CDS, List.of("-Xmx1g"))).isNotEqualTo(key);
	}

	@Test
	void cleanUpKeepsTheCurrentAndTheMostRecentlyUsed() throws IOException {
		Path root = Files.createDirectories(this.temp.resolve("root"));
		List<Path> dirs = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			Path dir = published(root, "app-" + i, 1_000_000L * (i + 1));
			dirs.add(dir);
		}
		for (Path dir : dirs) {
			Files.createFile(BootCacheStore.lockFile(root, dir));
		}
		Path orphan = Files.createFile(root.resolve("gone.lock"));
		Path preparing = root.resolve("preparing.lock");
		try (CacheLock held = CacheLock.tryAcquire(preparing)) {
			BootCacheStore.cleanUp(root, dirs.get(0));
		}
		assertThat(dirs.get(0)).exists();
		assertThat(dirs.get(4)).exists();
		assertThat(dirs.get(3)).exists();
		assertThat(dirs.get(2)).doesNotExist();
		assertThat(dirs.get(1)).doesNotExist();
		assertThat(BootCacheStore.lockFile(root, dirs.get(0))).exists();
		assertThat(BootCacheStore.lockFile(root, dirs.get(4))).exists();
		assertThat(BootCacheStore.lockFile(root, dirs.get(2))).doesNotExist();
		assertThat(BootCacheStore.lockFile(root, dirs.get(1))).doesNotExist();
		assertThat(orphan).doesNotExist();
		assertThat(preparing).as("held by a preparation that has not made its directory yet").exists();
	}

	@Test
	void archivesAreMappedWhereTheyWereDumpedUnlessTheUserChose() {
		assertThat(BootCache.sharingOptions(List.of("-Xmx1g"))).containsExactly("-XX:+UnlockDiagnosticVMOptions",
				"-XX:ArchiveRelocationMode=0");
		assertThat(BootCache.sharingOptions(List.of("-XX:ArchiveRelocationMode=1"))).isEmpty();
		assertThat(BootCache.sharingOptions(List.of("-XX:-UnlockDiagnosticVMOptions"))).isEmpty();
	}

	@Test
	void workersOnJdk25DoNotReplayTheTrainingRunsProfilesUnlessTheUserChose() {
		assertThat(BootCache.profileOptions(25, List.of("-Xmx1g"))).containsExactly("-XX:+UnlockDiagnosticVMOptions",
				"-XX:-AOTReplayTraining");
		assertThat(BootCache.profileOptions(26, List.of())).contains("-XX:-AOTReplayTraining");
		assertThat(BootCache.profileOptions(17, List.of())).as("no such option before 25").isEmpty();
		assertThat(BootCache.profileOptions(24, List.of())).isEmpty();
		assertThat(BootCache.profileOptions(25, List.of("-XX:+AOTReplayTraining"))).isEmpty();
		assertThat(BootCache.profileOptions(25, List.of("-XX:-UnlockDiagnosticVMOptions"))).isEmpty();
	}

	@Test
	void repeatedApplicationArgumentsAreReplacedNotJoined() {
		assertThat(BootCacheTraining.withOverrides(
				List.of("java", "-Xmx1g", "-jar", "a.jar", "--server.port=8080", "--x=1", "--jproc.workers=2"),
				List.of("--jproc.workers=0", "--server.port=0")))
			.containsExactly("java", "-Xmx1g", "-jar", "a.jar", "--x=1", "--jproc.workers=0", "--server.port=0");
	}

	@Test
	void aTrainingRunThatStopsWhenAskedIsNotKilled() throws IOException {
		this.runner.trainingRunsUntilKilled = true;
		this.runner.trainingStopsOnTerm = true;
		BootCache cache = BootCache.create(properties(), argv(jar("app.jar")), helpers());
		cache.poolReady();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.runner.started.size() == 2);
		Path dir = Path.of(cache.status().path());
		cache.close();
		assertThat(this.runner.terminated).contains(2L);
		assertThat(this.runner.killed).isEmpty();
		assertThat(dir).doesNotExist();
	}

	@Test
	void aRootOthersCanWriteIsRefusedAndThePoolRunsWithoutACache() throws IOException {
		Path root = Files.createDirectories(this.temp.resolve("shared"));
		for (String mode : List.of("rwxrwx---", "rwx---rwx", "rwxrwxrwx")) {
			Files.setPosixFilePermissions(root, PosixFilePermissions.fromString(mode));
			BootCache cache = BootCache.create(properties(root), argv(jar("app.jar")), helpers());
			assertThat(cache.state()).isEqualTo(BootCache.State.FAILED);
			assertThat(cache.reason()).contains(root + " can be written by other users");
			assertThat(cache.launch().archive()).isNull();
			cache.poolReady();
			assertThat(this.runner.started).as("nothing is prepared in it").isEmpty();
		}
		// Sticky (as /tmp) does not help the root itself: others could still plant files.
		Files.setAttribute(root, "unix:mode", 01777);
		assertThat(BootCache.create(properties(root), argv(jar("app.jar")), helpers()).state())
			.isEqualTo(BootCache.State.FAILED);
	}

	@Test
	void aRootOwnedByAnotherUserIsRefused() throws IOException {
		Path root = Files.createDirectories(this.temp.resolve("theirs"));
		Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
		Files.setAttribute(root, "unix:uid", CacheFiles.ownUid() + 4242);
		BootCache cache = BootCache.create(properties(root), argv(jar("app.jar")), helpers());
		assertThat(cache.state()).isEqualTo(BootCache.State.FAILED);
		assertThat(cache.reason()).contains(root + " is owned by another user");
		assertThat(cache.launch().archive()).isNull();
	}

	@Test
	void aSymbolicLinkAsRootOrAboveItMadeByAnotherUserIsRefused() throws IOException {
		Path real = Files.createDirectories(this.temp.resolve("real"));
		Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwx------"));
		Path link = Files.createSymbolicLink(this.temp.resolve("link"), real);
		BootCache cache = BootCache.create(properties(link), argv(jar("app.jar")), helpers());
		assertThat(cache.state()).isEqualTo(BootCache.State.FAILED);
		assertThat(cache.reason()).contains(link + " is a symbolic link");
		// A link above the root: one of this user's (or root's) is fine, another
		// user's is not.
		Path own = Files.createSymbolicLink(this.temp.resolve("own"), real);
		assertThat(BootCache.create(properties(own.resolve("cache")), argv(jar("app.jar")), helpers()).state())
			.isEqualTo(BootCache.State.TRAINING);
		Path planted = Files.createSymbolicLink(this.temp.resolve("planted"), real);
		Files.setAttribute(planted, "unix:uid", CacheFiles.ownUid() + 4242, LinkOption.NOFOLLOW_LINKS);
		BootCache refused = BootCache.create(properties(planted.resolve("cache")), argv(jar("app.jar")), helpers());
		assertThat(refused.state()).isEqualTo(BootCache.State.FAILED);
		assertThat(refused.reason()).contains(planted + " is a symbolic link made by another user");
	}

	@Test
	void whatTheMasterCreatesIsOnlyItsUsers() throws IOException {
		BootCache cache = trained(jar("app.jar"));
		Path dir = Path.of(cache.status().path());
		Path root = dir.getParent();
		assertThat(mode(root)).isEqualTo("rwx------");
		assertThat(mode(dir)).isEqualTo("rwx------");
		assertThat(mode(BootCacheStore.marker(dir))).isEqualTo("rw-------");
		assertThat(mode(dir.resolve("training.log"))).isEqualTo("rw-------");
		assertThat(mode(BootCacheStore.lockFile(root, dir))).isEqualTo("rw-------");
		assertThat(Files.readString(BootCacheStore.marker(dir))).startsWith(CacheFiles.MANIFEST_HEADER)
			.containsPattern("sha256 [0-9a-f]{64} app/app.jar")
			.containsPattern("sha256 [0-9a-f]{64} app\\.(jsa|aot)");
	}

	@Test
	void aPlantedJarWithAnotherDigestIsRefusedByTheNextMaster() throws IOException {
		Path jar = jar("app.jar");
		BootCache first = trained(jar);
		Path dir = Path.of(first.status().path());
		first.close();
		Files.writeString(dir.resolve("app").resolve("app.jar"), "planted code");
		BootCache next = BootCache.create(properties(), argv(jar), helpers());
		assertThat(next.state()).isEqualTo(BootCache.State.FAILED);
		assertThat(next.reason()).contains("SHA-256 digest of " + dir.resolve("app").resolve("app.jar"));
		assertThat(next.launch()).isEqualTo(new BootCache.Launch(argv(jar), null));
		// A file that was not published is refused as well.
		Files.writeString(dir.resolve("app").resolve("app.jar"), "extracted");
		Files.writeString(dir.resolve("app").resolve("extra.jar"), "planted code");
		BootCache third = BootCache.create(properties(), argv(jar), helpers());
		assertThat(third.state()).isEqualTo(BootCache.State.FAILED);
		assertThat(third.reason()).contains("extra.jar was not published with it");
	}

	@Test
	void aFileChangedWhileTheCacheIsInUseFailsItBeforeTheNextWorker() throws IOException {
		Path jar = jar("app.jar");
		BootCache cache = trained(jar);
		Path archive = cache.launch().archive();
		assertThat(archive).isNotNull();
		Files.writeString(archive, "flipped bytes", StandardOpenOption.APPEND);
		assertThat(cache.launch()).isEqualTo(new BootCache.Launch(argv(jar), null));
		assertThat(cache.state()).isEqualTo(BootCache.State.FAILED);
		assertThat(cache.reason()).contains(archive + " changed since its digest was checked");
	}

	@Test
	void aMarkerThatIsASymbolicLinkPublishesNothing() throws IOException {
		Path jar = jar("app.jar");
		BootCache first = trained(jar);
		Path dir = Path.of(first.status().path());
		first.close();
		Path elsewhere = Files.writeString(this.temp.resolve("planted-marker"),
				Files.readString(BootCacheStore.marker(dir)));
		Files.delete(BootCacheStore.marker(dir));
		Files.createSymbolicLink(BootCacheStore.marker(dir), elsewhere);
		BootCache next = BootCache.create(properties(), argv(jar), helpers());
		assertThat(next.state()).isNotEqualTo(BootCache.State.READY);
		assertThat(next.launch().archive()).isNull();
	}

	@Test
	void aCacheWithoutDigestsIsPreparedAgain() throws IOException {
		Path jar = jar("app.jar");
		BootCache first = trained(jar);
		Path dir = Path.of(first.status().path());
		first.close();
		Files.writeString(BootCacheStore.marker(dir), "kind=CDS\n");
		BootCache next = BootCache.create(properties(), argv(jar), helpers());
		assertThat(next.state()).isEqualTo(BootCache.State.TRAINING);
		assertThat(next.launch().archive()).isNull();
		next.poolReady();
		await().atMost(Duration.ofSeconds(10)).until(() -> next.state() == BootCache.State.READY);
		assertThat(this.runner.started).hasSize(4);
		assertThat(next.launch().archive()).isNotNull();
	}

	@Test
	void aWorkerThatFailedToBootFromTheCacheAbandonsItForLaterMastersToo() throws IOException {
		Path jar = jar("app.jar");
		BootCache cache = trained(jar);
		Path archive = cache.launch().archive();
		cache.failedToBoot(archive, "worker 1 (pid 42)");
		assertThat(cache.state()).isEqualTo(BootCache.State.FAILED);
		assertThat(cache.launch()).isEqualTo(new BootCache.Launch(argv(jar), null));
		cache.close();
		BootCache next = BootCache.create(properties(), argv(jar), helpers());
		assertThat(next.state()).isEqualTo(BootCache.State.FAILED);
		assertThat(next.reason()).contains("abandoned by an earlier master")
			.contains("worker 1 (pid 42) started from the boot cache");
		assertThat(next.launch().archive()).isNull();
		next.poolReady();
		assertThat(this.runner.started).as("not prepared again blindly").hasSize(2);
	}

	@Test
	void theCleanUpNeverRemovesACacheARunningPoolUses() throws Exception {
		Path jar = jar("app.jar");
		BootCache inUse = trained(jar);
		Path dir = Path.of(inUse.status().path());
		Path root = dir.getParent();
		// The least recently used of four: the clean-up of another master would take it.
		Files.setLastModifiedTime(BootCacheStore.marker(dir), java.nio.file.attribute.FileTime.fromMillis(1));
		for (int i = 0; i < 3; i++) {
			published(root, "newer-" + i, 1_000_000L * (i + 1));
		}
		Path current = published(root, "current", 9_000_000L);
		Process other = cleanUpInAnotherProcess(root, current);
		assertThat(other.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
		assertThat(other.exitValue()).as(new String(other.getInputStream().readAllBytes())).isZero();
		assertThat(dir).isDirectory();
		assertThat(BootCacheStore.marker(dir)).isRegularFile();
		assertThat(root.resolve("newer-0")).doesNotExist();
		assertThat(inUse.launch().archive()).isNotNull();
		// Once this master no longer uses it, it can go.
		inUse.close();
		Files.setLastModifiedTime(BootCacheStore.marker(dir), java.nio.file.attribute.FileTime.fromMillis(1));
		other = cleanUpInAnotherProcess(root, current);
		assertThat(other.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
		assertThat(dir).doesNotExist();
	}

	/** Another master's clean-up: another process, since locks are per process. */
	private static Process cleanUpInAnotherProcess(Path root, Path current) throws IOException {
		String command = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		return new ProcessBuilder(command, "-cp", System.getProperty("java.class.path"), CleanUpMain.class.getName(),
				root.toString(), current.toString())
			.redirectErrorStream(true)
			.start();
	}

	private static String mode(Path path) throws IOException {
		return PosixFilePermissions.toString(
				Files.readAttributes(path, java.nio.file.attribute.PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
					.permissions());
	}

	private JprocProperties.BootCache properties(Path dir) {
		JprocProperties.BootCache properties = new JprocProperties.BootCache();
		properties.setDir(dir);
		return properties;
	}

	/** A cache created for the jar, trained by the fake runner, ready. */
	private BootCache trained(Path jar) throws IOException {
		BootCache cache = BootCache.create(properties(), argv(jar), helpers());
		cache.poolReady();
		await().atMost(Duration.ofSeconds(10)).until(() -> cache.state() == BootCache.State.READY);
		return cache;
	}

	/** A published cache directory, last used at the given time. */
	private static Path published(Path root, String name, long lastUsedMillis) throws IOException {
		Path dir = Files.createDirectories(root.resolve(name));
		Files.writeString(BootCacheStore.marker(dir), "x");
		Files.setLastModifiedTime(BootCacheStore.marker(dir),
				java.nio.file.attribute.FileTime.fromMillis(lastUsedMillis));
		return dir;
	}

	private JprocProperties.BootCache properties() {
		JprocProperties.BootCache properties = new JprocProperties.BootCache();
		properties.setDir(this.temp.resolve("cache"));
		return properties;
	}

	private Path jar(String name) throws IOException {
		Path jar = this.temp.resolve(name);
		if (!Files.exists(jar)) {
			Files.writeString(jar, "not really a jar");
		}
		return jar;
	}

	private static List<String> list(Path dir) throws IOException {
		try (java.util.stream.Stream<Path> entries = Files.list(dir)) {
			return entries.map((entry) -> entry.getFileName().toString()).toList();
		}
	}

	private static List<String> argv(Path jar) {
		return List.of("java", "-Xmx64m", "-jar", jar.toString(), "--server.port=8080");
	}

	private BootCache.Helpers helpers() {
		return new BootCache.Helpers(this.runner,
				List.of("--jproc.workers=0", "--server.address=127.0.0.1", "--server.port=0"), Map.of(),
				Map.of("JPROC_ROLE", "training"));
	}

	/** Does what extraction and training would do to the cache directory. */
	static final class FakeRunner implements BootCacheTraining.Runner {

		final List<List<String>> started = new CopyOnWriteArrayList<>();

		final List<Long> killed = new CopyOnWriteArrayList<>();

		final List<Long> terminated = new CopyOnWriteArrayList<>();

		/** Whether the training run ends when asked to stop (SIGTERM). */
		volatile boolean trainingStopsOnTerm;

		volatile int trainingExit;

		volatile boolean trainingRunsUntilKilled;

		private final CompletableFuture<Integer> killedTraining = new CompletableFuture<>();

		@Override
		public long start(List<String> argv, Map<String, String> environment, Path output) throws IOException {
			this.started.add(argv);
			Files.writeString(output, "output of " + argv.get(argv.size() - 1) + "\n", StandardOpenOption.CREATE,
					StandardOpenOption.APPEND);
			int destination = argv.indexOf("--destination");
			if (destination >= 0) {
				Path app = Files.createDirectories(Path.of(argv.get(destination + 1)));
				Files.writeString(app.resolve("app.jar"), "extracted");
			}
			for (String arg : argv) {
				for (String option : List.of("-XX:ArchiveClassesAtExit=", "-XX:AOTCacheOutput=")) {
					if (arg.startsWith(option) && this.trainingExit == 0) {
						Files.writeString(Path.of(arg.substring(option.length())), "archive");
					}
				}
			}
			return this.started.size();
		}

		@Override
		public CompletableFuture<Integer> exit(long pid) {
			if (pid == 2 && this.trainingRunsUntilKilled) {
				return this.killedTraining;
			}
			return CompletableFuture.completedFuture((pid == 2) ? this.trainingExit : 0);
		}

		@Override
		public void kill(long pid) {
			this.killed.add(pid);
			if (pid == 2) {
				this.killedTraining.complete(-1);
			}
		}

		@Override
		public void terminate(long pid) {
			this.terminated.add(pid);
			if (pid == 2 && this.trainingStopsOnTerm) {
				this.killedTraining.complete(143);
			}
		}

	}

}
