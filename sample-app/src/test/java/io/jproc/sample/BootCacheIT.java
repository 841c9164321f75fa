package io.jproc.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

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
 * The boot cache with real JVMs: trained in the background once the pool is ready, used
 * by a replacement, found ready by the next master, and a corrupt archive only costs the
 * speed-up. The tests share one fresh cache directory under {@code target/} and run in
 * order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BootCacheIT {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Path CACHE = Path.of("target", "boot-cache-it", Long.toString(System.currentTimeMillis()))
		.toAbsolutePath();

	private static final String DIR = "--jproc.boot-cache.dir=" + CACHE;

	@Test
	@Order(1)
	void trainedInTheBackgroundThenAReplacementStartsFromIt() throws Exception {
		try (MasterProcess master = MasterProcess.startPool("boot-cache-train", 2, DIR)) {
			JsonNode pool = workers(master);
			assertThat(pool.at("/master/bootCache/state").asString()).isIn("training", "ready");
			for (JsonNode worker : pool.get("workers")) {
				assertThat(worker.get("bootCacheUsed").asBoolean()).as("first workers start from the jar").isFalse();
			}
			master.awaitLog(Pattern.compile("jproc boot cache: ready at"), Duration.ofSeconds(240));
			assertThat(Files.list(CACHE).filter(Files::isDirectory).toList()).hasSize(1);
			List<Long> workers = master.awaitWorkerCount(2, Duration.ofSeconds(30));
			pool = workers(master);
			assertThat(pool.at("/master/bootCache/state").asString()).isEqualTo("ready");
			assertThat(pool.at("/master/bootCache/kind").asString())
				.isEqualTo((Runtime.version().feature() >= 25) ? "aot" : "cds");
			ProcessHandle.of(workers.get(0)).ifPresent(ProcessHandle::destroyForcibly);
			master.awaitLog(Pattern.compile("ready in"), 3, Duration.ofSeconds(120));
			List<Long> now = master.awaitWorkerCount(2, Duration.ofSeconds(30));
			long replacement = now.stream().filter((pid) -> !workers.contains(pid)).findFirst().orElseThrow();
			String command = ProcessHandle.of(replacement).flatMap((p) -> p.info().commandLine()).orElse("");
			assertThat(command).containsPattern("-XX:(SharedArchiveFile|AOTCache)=" + Pattern.quote(CACHE.toString()));
			assertThat(usedBy(workers(master), replacement)).as("the replacement mapped the archive").isTrue();
		}
	}

	@Test
	@Order(2)
	void theNextMasterStartsItsFirstWorkersFromTheReadyCache() throws Exception {
		// Same jar, same worker options (2 workers: the sizing options are part of the
		// key).
		try (MasterProcess master = MasterProcess.startPool("boot-cache-next", 2, DIR)) {
			assertThat(master.log()).contains("jproc boot cache: ready at " + CACHE);
			JsonNode pool = workers(master);
			for (long worker : master.awaitWorkerCount(2, Duration.ofSeconds(30))) {
				assertThat(usedBy(pool, worker)).isTrue();
			}
		}
	}

	@Test
	@Order(3)
	void aCorruptArchiveOnlyCostsTheSpeedUp() throws Exception {
		List<Path> archives = new ArrayList<>();
		try (var files = Files.walk(CACHE, 2)) {
			files.filter((file) -> file.toString().endsWith(".jsa") || file.toString().endsWith(".aot"))
				.forEach(archives::add);
		}
		assertThat(archives).hasSize(1);
		Path archive = archives.get(0);
		Files.write(archive, new byte[4096]);
		// With its digest recorded again: what the JVM does with an archive it cannot map
		// (a flipped byte the digests catch is BootCacheTrustIT's).
		Path marker = archive.resolveSibling("ready");
		String digest = java.util.HexFormat.of()
			.formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(archive)));
		Files.writeString(marker,
				Files.readString(marker)
					.replaceAll("sha256 [0-9a-f]{64} " + Pattern.quote(archive.getFileName().toString()) + "\n",
							"sha256 " + digest + " " + archive.getFileName() + "\n"));
		try (MasterProcess master = MasterProcess.startPool("boot-cache-corrupt", 2, DIR)) {
			assertThat(master.log()).contains("jproc boot cache: ready at " + CACHE);
			JsonNode pool = workers(master);
			for (long worker : master.awaitWorkerCount(2, Duration.ofSeconds(30))) {
				assertThat(usedBy(pool, worker)).as("a corrupt archive is not used").isFalse();
			}
			assertThat(RawHttp.get(master.port(), "/", TIMEOUT).status()).isEqualTo(200);
		}
	}

	private static boolean usedBy(JsonNode pool, long pid) {
		for (JsonNode worker : pool.get("workers")) {
			if (worker.get("pid").asLong() == pid) {
				return worker.get("bootCacheUsed").asBoolean();
			}
		}
		throw new AssertionError("no worker with pid " + pid + " in " + pool);
	}

	private static JsonNode workers(MasterProcess master) throws Exception {
		RawHttp.Response response = RawHttp.get(master.port(), "/actuator/workers", TIMEOUT);
		assertThat(response.status()).isEqualTo(200);
		return JSON.readTree(response.unchunked());
	}

}
