package io.jproc.master.lean;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LeanExec}'s command line.
 */
class LeanExecTests {

	private static final List<String> APP = List.of("/jdk/bin/java", "-Xmx2g", "-XX:+UseG1GC", "-Dapp.secret=1",
			"-Dloader.path=lib", "--add-opens", "java.base/java.lang=ALL-UNNAMED", "-javaagent:agent.jar", "-jar",
			"app.jar", "--server.port=8080");

	@Test
	void bootJarRunsTheLeanMainThroughBootsPropertiesLauncher() {
		List<String> command = LeanExec.command("/jdk", 17, APP, "app.jar", true, 96L << 20, List.of());
		assertThat(command.get(0)).isEqualTo("/jdk/bin/java");
		assertThat(command).contains("-XX:+UseSerialGC", "-Xmx96m", "-XX:TieredStopAtLevel=1",
				"-D" + LeanExec.HAND_OFF_FD + "=%FD%",
				"-Dorg.apache.commons.logging.LogFactory=" + LeanLogFactory.class.getName());
		assertThat(command.subList(command.size() - 4, command.size())).containsExactly("-cp", "app.jar",
				"-Dloader.main=" + LeanExec.LEAN_MAIN, "org.springframework.boot.loader.launch.PropertiesLauncher");
	}

	@Test
	void systemPropertiesAndModuleOptionsCrossButNotTheApplicationsHeapCollectorAgentOrArguments() {
		List<String> command = LeanExec.command("/jdk", 17, APP, "app.jar", true, 96L << 20, List.of());
		assertThat(command).contains("-Dapp.secret=1")
			.containsSubsequence("--add-opens", "java.base/java.lang=ALL-UNNAMED");
		assertThat(command).doesNotContain("-Xmx2g", "-XX:+UseG1GC", "-javaagent:agent.jar", "-Dloader.path=lib",
				"--server.port=8080", "-jar");
	}

	@Test
	void plainClassPathRunsTheLeanMainDirectly() {
		List<String> command = LeanExec.command("/jdk", 25, List.of("java", "-cp", "a:b", "com.example.App"), "a:b",
				false, 1L << 20, List.of("-Xmx40m"));
		assertThat(command.subList(command.size() - 3, command.size())).containsExactly("-cp", "a:b",
				LeanExec.LEAN_MAIN);
		assertThat(command).contains("--enable-native-access=ALL-UNNAMED", "-Xmx16m");
		assertThat(command.indexOf("-Xmx40m")).as("jproc.master.jvm-args win")
			.isGreaterThan(command.indexOf("-Xmx16m"));
	}

	@Test
	void aModulePathIsNotUsable() {
		assertThat(LeanExec.unusableClassPath("a.jar", "mods")).contains("module path");
		assertThat(LeanExec.unusableClassPath("", null)).isNotNull();
		assertThat(LeanExec.unusableClassPath("app.jar", null)).isNull();
	}

}
