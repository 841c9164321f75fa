package io.jproc.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import io.jproc.sample.support.JarVariant;
import io.jproc.sample.support.Load;
import io.jproc.sample.support.MasterProcess;
import io.jproc.sample.support.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deploying a new build in place: the master runs {@code app.jar}, a copy of the sample
 * app; a new build (the same app reporting {@code build.version=2} in
 * {@code /actuator/info}) is installed by rename and the pool reloaded with SIGHUP under
 * load; then a broken build is installed the same way; then the jar is overwritten in
 * place, which the master reports. One pool of two workers, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NewBuildIT {

	private static Path dir;

	private static Path app;

	private static MasterProcess master;

	@BeforeAll
	static void start() throws Exception {
		dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "new-build-it");
		app = dir.resolve("app.jar");
		Files.copy(MasterProcess.jar(), app);
		master = MasterProcess.startJar("new-build", app, List.of(), "--jproc.workers=2");
		try {
			master.awaitAllReady(2, Duration.ofSeconds(90));
		}
		catch (RuntimeException | AssertionError ex) {
			master.close();
			throw ex;
		}
	}

	@AfterAll
	static void stop() {
		MasterProcess.closeShared(master);
	}

	@Test
	@Order(1)
	void newBuildInstalledByRenameThenReloadedUnderLoadLosesNoRequest() throws Exception {
		assertThat(buildInfo()).doesNotContain("\"version\"");
		Path next = dir.resolve("app.jar.new");
		JarVariant.withBuildVersion(MasterProcess.jar(), next, "2");
		try (Load load = Load.start(master.port(), "/", 2, Duration.ofSeconds(180))) {
			load.awaitMore(50, Duration.ofSeconds(20));
			Files.move(next, app, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			master.awaitLog(Pattern.compile("was replaced by a new file"), Duration.ofSeconds(5));
			master.signal("HUP");
			master.awaitLog(Pattern.compile("reload complete \\(SIGHUP\\): 2 workers replaced"),
					Duration.ofSeconds(150));
			load.awaitMore(100, Duration.ofSeconds(20));
			load.close();
			System.out.println("new build by rename + SIGHUP under load: " + load.ok() + " requests, "
					+ load.failures().size() + " failed");
			assertThat(load.failures()).as("requests failed across the reload to the new build").isEmpty();
		}
		for (int i = 0; i < 20; i++) {
			assertThat(buildInfo()).as("every worker runs the new build").contains("\"version\":\"2\"");
		}
		assertThat(workers()).contains("\"warnings\":[]");
	}

	@Test
	@Order(2)
	void brokenBuildStopsTheReloadAndTheWorkersKeepServing() throws Exception {
		Path broken = dir.resolve("app.jar.broken");
		JarVariant.broken(MasterProcess.jar(), broken);
		try (Load load = Load.start(master.port(), "/", 2, Duration.ofSeconds(120))) {
			load.awaitMore(50, Duration.ofSeconds(20));
			Files.move(broken, app, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			// The master must have seen this file before the next test overwrites it in
			// place.
			master.awaitLog(Pattern.compile("was replaced by a new file"), 2, Duration.ofSeconds(5));
			master.signal("HUP");
			master.awaitLog(Pattern.compile("reload stopped \\(SIGHUP\\): worker \\d \\(pid \\d+\\) exited with"),
					Duration.ofSeconds(60));
			load.awaitMore(100, Duration.ofSeconds(20));
			load.close();
			assertThat(load.failures()).as("requests failed while the broken build was tried").isEmpty();
		}
		assertThat(master.awaitWorkerCount(2, Duration.ofSeconds(10))).hasSize(2);
		assertThat(buildInfo()).contains("\"version\":\"2\"");
	}

	@Test
	@Order(3)
	void jarOverwrittenInPlaceIsReportedWithWhatToDo() throws Exception {
		Object before = Files.readAttributes(app, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
		Files.write(app, Files.readAllBytes(MasterProcess.jar()), StandardOpenOption.TRUNCATE_EXISTING);
		assertThat(Files.readAttributes(app, java.nio.file.attribute.BasicFileAttributes.class).fileKey())
			.as("the same file")
			.isEqualTo(before);
		master.awaitLog(Pattern.compile("app.jar was overwritten in place"), Duration.ofSeconds(5));
		String workers = workers();
		assertThat(workers).contains("overwritten in place")
			.contains("Install new builds by rename")
			.contains("restart the master");
	}

	private static String buildInfo() throws Exception {
		RawHttp.Response response = RawHttp.get(master.port(), "/actuator/info", Duration.ofSeconds(10));
		assertThat(response.status()).isEqualTo(200);
		return response.body();
	}

	private static String workers() throws Exception {
		RawHttp.Response response = RawHttp.get(master.port(), "/actuator/workers", Duration.ofSeconds(10));
		assertThat(response.status()).isEqualTo(200);
		return response.body();
	}

}
