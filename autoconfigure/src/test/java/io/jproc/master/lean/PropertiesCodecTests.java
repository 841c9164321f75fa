package io.jproc.master.lean;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.jproc.JprocProperties;
import io.jproc.WorkerCount;
import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PropertiesCodec}.
 */
class PropertiesCodecTests {

	@Test
	void defaultsRoundTrip() {
		JprocProperties properties = new JprocProperties();
		Map<String, String> encoded = PropertiesCodec.encode(properties);
		assertThat(PropertiesCodec.encode(PropertiesCodec.decode(encoded))).isEqualTo(encoded);
		assertThat(encoded).containsEntry("master.lean", "true").containsEntry("workers", "0");
	}

	@Test
	void everyKindOfValueRoundTrips() {
		JprocProperties properties = new JprocProperties();
		properties.setWorkers(new WorkerCount(3, true));
		properties.setMaxWorkers(12);
		properties.setDrainTimeout(Duration.ofMillis(1500));
		properties.getWorker().setJvmArgs(List.of("-Xmx64m", "-Da=b=c", "with space", "üñí\n"));
		Map<String, String> environment = new LinkedHashMap<>();
		environment.put("SECRET", "s3=cr,et");
		environment.put("EMPTY", "");
		properties.getWorker().setEnvironment(environment);
		properties.getWorker().setMaxBooting(null);
		properties.getRecycle().setMaxHeap(DataSize.ofMegabytes(300));
		properties.getRecycle().setMaxAge(Duration.ofHours(2));
		properties.getMessaging().setMaxPayload(DataSize.ofKilobytes(64));
		properties.getBootCache().setDir(Path.of("/var/cache/app"));
		properties.getBootCache().setEnabled(false);
		properties.getMaster().setLean(false);
		properties.getMaster().setJvmArgs(List.of());
		properties.getRecycle().setMaxRequests(1_000_000_000_000L);

		JprocProperties decoded = PropertiesCodec.decode(PropertiesCodec.encode(properties));

		assertThat(decoded.getWorkers()).isEqualTo(new WorkerCount(3, true));
		assertThat(decoded.getMaxWorkers()).isEqualTo(12);
		assertThat(decoded.getDrainTimeout()).isEqualTo(Duration.ofMillis(1500));
		assertThat(decoded.getWorker().getJvmArgs()).containsExactly("-Xmx64m", "-Da=b=c", "with space", "üñí\n");
		assertThat(decoded.getWorker().getEnvironment()).containsExactly(Map.entry("SECRET", "s3=cr,et"),
				Map.entry("EMPTY", ""));
		assertThat(decoded.getWorker().getMaxBooting()).isNull();
		assertThat(decoded.getRecycle().getMaxHeap()).isEqualTo(DataSize.ofMegabytes(300));
		assertThat(decoded.getRecycle().getMaxAge()).isEqualTo(Duration.ofHours(2));
		assertThat(decoded.getRecycle().getMaxRequests()).isEqualTo(1_000_000_000_000L);
		assertThat(decoded.getMessaging().getMaxPayload()).isEqualTo(DataSize.ofKilobytes(64));
		assertThat(decoded.getBootCache().getDir()).isEqualTo(Path.of("/var/cache/app"));
		assertThat(decoded.getBootCache().isEnabled()).isFalse();
		assertThat(decoded.getMaster().isLean()).isFalse();
		assertThat(PropertiesCodec.encode(decoded)).isEqualTo(PropertiesCodec.encode(properties));
	}

	@Test
	void everyGroupIsWalked() {
		Map<String, String> encoded = PropertiesCodec.encode(new JprocProperties());
		for (String group : List.of("worker.", "restart.", "heartbeat.", "recycle.", "reload.", "ipc.", "health.",
				"messaging.", "scheduling.", "bootCache.", "warmup.", "master.")) {
			assertThat(encoded.keySet()).as(group).anyMatch((key) -> key.startsWith(group));
		}
	}

	@Test
	void aMissingKeyKeepsTheDefault() {
		JprocProperties decoded = PropertiesCodec.decode(Map.of("workers", "2"));
		assertThat(decoded.getWorkers().value()).isEqualTo(2);
		assertThat(decoded.getHeartbeat().getTimeout()).isEqualTo(new JprocProperties().getHeartbeat().getTimeout());
	}

}
