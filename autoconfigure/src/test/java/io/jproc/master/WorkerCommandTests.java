package io.jproc.master;

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
		assertThat(WorkerCommand.endOfJvmOptions(List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED", "-m",
				"app/com.example.Main")))
			.isEqualTo(2);
	}

	@Test
	void noExtraOptionsKeepsTheCommandLine() {
		List<String> arguments = List.of("-jar", "app.jar");
		assertThat(WorkerCommand.of("java", arguments, List.of())).containsExactly("java", "-jar", "app.jar");
	}

}
