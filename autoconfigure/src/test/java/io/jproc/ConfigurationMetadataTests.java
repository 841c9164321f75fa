package io.jproc;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code jproc.*} property reaches the IDE with a description.
 */
class ConfigurationMetadataTests {

	/**
	 * Read the configuration metadata on the class path, as Boot's configuration
	 * processor wrote it at compile time (merged with
	 * {@code additional-spring-configuration-metadata.json}).
	 * @return the metadata's JSON tree
	 * @throws IOException if it cannot be read
	 */
	static JsonNode readMetadata() throws IOException {
		try (InputStream in = ConfigurationMetadataTests.class
			.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			assertThat(in).as("generated configuration metadata").isNotNull();
			return JsonMapper.builder().build().readTree(in);
		}
	}

	@Test
	void everyPropertyHasADescription() throws IOException {
		JsonNode metadata = readMetadata();
		List<String> names = new ArrayList<>();
		for (JsonNode property : metadata.path("properties")) {
			String name = property.path("name").asString();
			names.add(name);
			assertThat(property.path("description").asString("")).as("description of " + name).isNotBlank();
		}
		assertThat(names).contains("jproc.workers", "jproc.backlog", "jproc.shutdown-timeout", "jproc.drain-timeout",
				"jproc.worker.jvm-args", "jproc.worker.id", "jproc.restart.max-boot-failures",
				"jproc.heartbeat.timeout", "jproc.recycle.max-requests", "jproc.reload.max-parallel",
				"jproc.ipc.request-timeout", "jproc.worker.right-size", "jproc.boot-cache.enabled",
				"jproc.boot-cache.dir", "jproc.boot-cache.training-paths", "jproc.boot-cache.training-requests",
				"jproc.spare-workers", "jproc.warmup.requests", "jproc.warmup.paths", "jproc.warmup.concurrency",
				"jproc.warmup.timeout");
		assertThat(metadata.path("hints").toString()).contains("auto");
	}

}
