package io.jproc.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.jproc.sample.support.MasterProcess;
import io.jproc.sample.support.RawHttp;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The boot cache trusts nothing it did not make, with real JVMs: a root other users can
 * write is refused, the training run runs none of the app's scheduled work, a published
 * jar with bytes flipped is refused by the next master, and a cache whose workers cannot
 * boot is abandoned without giving a slot up. The tests share one fresh cache directory
 * under {@code target/} and run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BootCacheTrustIT {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Path BASE = Path.of("target", "boot-cache-trust-it", Long.toString(System.currentTimeMillis()))
		.toAbsolutePath();

	private static final Path CACHE = BASE.resolve("cache");

	private static final String DIR = "--jproc.boot-cache.dir=" + CACHE;

	/** Two boot failures in a row give a slot up; one more spends a whole slot. */
	private static final String ONE_BOOT_FAILURE = "--jproc.restart.max-boot-failures=1";

	@Test
	@Order(1)
	void aRootOtherUsersCanWriteIsRefusedWithOneWarning() throws Exception {
		Path shared = Files.createDirectories(BASE.resolve("shared"));
		Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
		try (MasterProcess master = MasterProcess.startPool("boot-cache-trust-shared", 2,
				"--jproc.boot-cache.dir=" + shared)) {
			assertThat(master
				.count(Pattern.compile("WARN.*jproc boot cache: the directory " + Pattern.quote(shared.toString())
						+ " is refused: " + Pattern.quote(shared.toString()) + " can be written by other users")))
				.isEqualTo(1);
			JsonNode pool = workers(master);
			assertThat(pool.at("/master/bootCache/state").asString()).isEqualTo("failed");
			assertThat(RawHttp.get(master.port(), "/", TIMEOUT).status()).isEqualTo(200);
		}
		try (Stream<Path> planted = Files.list(shared)) {
			assertThat(planted.toList()).as("nothing written into it").isEmpty();
		}
	}

	@Test
	@Order(2)
	void theTrainingRunRunsNoScheduledWorkAndTheCacheIsPrivate() throws Exception {
		try (MasterProcess master = MasterProcess.startPool("boot-cache-trust-train", 2, DIR)) {
			master.awaitLog(Pattern.compile("jproc boot cache: ready at"), Duration.ofSeconds(240));
		}
		Path dir = cacheDir();
		String training = Files.readString(dir.resolve("training.log"));
		assertThat(training).contains("jproc boot cache training run: scheduled work is off")
			.contains("jproc boot cache training: ")
			.doesNotContain("leader tick");
		assertThat(mode(CACHE)).isEqualTo("rwx------");
		assertThat(mode(dir)).isEqualTo("rwx------");
		assertThat(mode(dir.resolve("ready"))).isEqualTo("rw-------");
		assertThat(mode(dir.resolve("training.log"))).isEqualTo("rw-------");
		assertThat(Files.readString(dir.resolve("ready"))).containsPattern("sha256 [0-9a-f]{64} app/sample-app.jar");
	}

	@Test
	@Order(3)
	void aPublishedJarWithBytesFlippedIsRefusedAndNoSlotIsGivenUp() throws Exception {
		Path jar = cacheDir().resolve("app").resolve("sample-app.jar");
		byte[] original = Files.readAllBytes(jar);
		byte[] flipped = original.clone();
		flipped[flipped.length / 2] ^= 0x55;
		Files.write(jar, flipped);
		try (MasterProcess master = MasterProcess.startPool("boot-cache-trust-flipped", 2, DIR, ONE_BOOT_FAILURE)) {
			assertThat(master.log()).contains("the SHA-256 digest of " + jar)
				.doesNotContain("jproc boot cache: ready at");
			JsonNode pool = workers(master);
			assertThat(pool.at("/master/bootCache/state").asString()).isEqualTo("failed");
			for (JsonNode worker : pool.get("workers")) {
				assertThat(worker.get("bootCacheUsed").asBoolean()).isFalse();
			}
			assertThat(master.log()).doesNotContain("given up");
			assertThat(RawHttp.get(master.port(), "/", TIMEOUT).status()).isEqualTo(200);
		}
		finally {
			Files.write(jar, original);
		}
	}

	@Test
	@Order(4)
	void aCacheWhoseWorkersCannotBootIsAbandonedWithoutGivingASlotUp() throws Exception {
		Path dir = cacheDir();
		// A library the digests vouch for, but that no JVM can load: what a broken
		// archive or a JVM bug looks like to the pool.
		Path library;
		try (Stream<Path> libraries = Files.list(dir.resolve("app").resolve("lib"))) {
			library = libraries.filter((file) -> file.getFileName().toString().startsWith("spring-core-"))
				.findFirst()
				.orElseThrow();
		}
		Files.write(library, new byte[] { 1, 2, 3 });
		String relative = dir.relativize(library).toString();
		String marker = Files.readString(dir.resolve("ready"))
			.replaceAll("sha256 [0-9a-f]{64} " + Pattern.quote(relative) + "\n",
					"sha256 " + sha256(library) + " " + relative + "\n");
		Files.writeString(dir.resolve("ready"), marker);
		try (MasterProcess master = MasterProcess.start("boot-cache-trust-broken",
				List.of("--jproc.workers=2", DIR, ONE_BOOT_FAILURE).toArray(String[]::new))) {
			// The master's own start (the application's JVM, then the lean one) comes
			// first: on a loaded machine it alone took more than 10 s.
			master.awaitLog(Pattern.compile("jproc boot cache: ready at"), Duration.ofSeconds(60));
			master.awaitAllReady(2, Duration.ofSeconds(120));
			assertThat(master.log()).contains("failed to boot from the boot cache: not counted as a boot failure")
				.doesNotContain("given up");
			JsonNode pool = workers(master);
			assertThat(pool.at("/master/bootCache/state").asString()).isEqualTo("failed");
			assertThat(pool.get("workers")).hasSize(2);
			assertThat(RawHttp.get(master.port(), "/", TIMEOUT).status()).isEqualTo(200);
		}
		assertThat(dir.resolve("failed")).isRegularFile();
		// The next master does not try it again.
		try (MasterProcess next = MasterProcess.startPool("boot-cache-trust-after", 2, DIR, ONE_BOOT_FAILURE)) {
			assertThat(next.log()).contains("abandoned by an earlier master").doesNotContain("failed to boot from");
		}
	}

	private static Path cacheDir() throws IOException {
		try (Stream<Path> dirs = Files.list(CACHE)) {
			List<Path> all = dirs.filter(Files::isDirectory).toList();
			assertThat(all).hasSize(1);
			return all.get(0);
		}
	}

	private static String mode(Path path) throws IOException {
		return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
	}

	private static String sha256(Path file) throws Exception {
		return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
	}

	private static JsonNode workers(MasterProcess master) throws Exception {
		RawHttp.Response response = RawHttp.get(master.port(), "/actuator/workers", TIMEOUT);
		assertThat(response.status()).isEqualTo(200);
		return JSON.readTree(response.unchunked());
	}

}
