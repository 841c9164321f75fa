package io.jproc.master.process;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WorkerCommand}.
 */
class WorkerCommandTests {

	@Test
	void extraOptionsGoAfterTheMastersOptionsAndBeforeTheJar() {
		assertThat(WorkerCommand.of("/usr/bin/java", List.of("-Xmx1g", "-jar", "app.jar", "--server.port=8080"),
				List.of("-Xmx256m")))
			.containsExactly("/usr/bin/java", "-Xmx1g", "-Xmx256m", "-jar", "app.jar", "--server.port=8080");
	}

	@Test
	void classPathValueIsNotTakenForTheMainClass() {
		assertThat(WorkerCommand.of("java", List.of("-cp", "a.jar:b.jar", "-Dx=1", "com.example.Main", "arg"),
				List.of("-Dworker=true")))
			.containsExactly("java", "-cp", "a.jar:b.jar", "-Dx=1", "-Dworker=true", "com.example.Main", "arg");
	}

	@Test
	void moduleLaunchIsRecognised() {
		assertThat(WorkerCommand
			.endOfJvmOptions(List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED", "-m", "app/com.example.Main")))
			.isEqualTo(2);
	}

	@Test
	void noExtraOptionsKeepsTheCommandLine() {
		List<String> arguments = List.of("-jar", "app.jar");
		assertThat(WorkerCommand.of("java", arguments, List.of())).containsExactly("java", "-jar", "app.jar");
	}

	@Test
	void jarAndJvmOptionsAreFound() {
		List<String> argv = List.of("java", "-Xmx1g", "-cp", "x", "-jar", "app.jar", "--a=1");
		assertThat(WorkerCommand.jar(argv)).isEqualTo("app.jar");
		assertThat(WorkerCommand.jvmOptions(argv)).containsExactly("-Xmx1g", "-cp", "x");
		assertThat(WorkerCommand.jar(List.of("java", "-cp", "a.jar", "com.example.Main"))).isNull();
	}

	@Test
	void anotherJarWithMoreOptionsKeepsTheRest() {
		assertThat(WorkerCommand.withJar(List.of("java", "-Xmx1g", "-jar", "app.jar", "--a=1"), "/cache/app.jar",
				List.of("-XX:SharedArchiveFile=/cache/app.jsa")))
			.containsExactly("java", "-Xmx1g", "-XX:SharedArchiveFile=/cache/app.jsa", "-jar", "/cache/app.jar",
					"--a=1");
	}

	@Test
	void nativeAccessOnlyWhereTheRuntimeRestrictsItAndTheUserDidNotChoose() {
		assertThat(WorkerCommand.nativeAccess(17, List.of())).isEmpty();
		assertThat(WorkerCommand.nativeAccess(21, List.of())).isEmpty();
		assertThat(WorkerCommand.nativeAccess(22, List.of())).containsExactly("--enable-native-access=ALL-UNNAMED");
		assertThat(WorkerCommand.nativeAccess(25, List.of())).containsExactly("--enable-native-access=ALL-UNNAMED");
		assertThat(WorkerCommand.nativeAccess(25, List.of("--enable-native-access=M"))).isEmpty();
	}

}
