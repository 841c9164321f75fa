package io.jproc.master;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link UnseenArguments}.
 */
class UnseenArgumentsTests {

	@Test
	void argumentsTheEnvironmentDoesNotSeeAreReported() {
		List<String> commandLine = List.of("-Xmx1g", "-jar", "app.jar", "--jproc.workers=2", "--server.port=0",
				"--jproc.backlog=64");
		assertThat(UnseenArguments.unseen(commandLine, Map.<String, String>of()::get))
			.containsExactly("--jproc.workers=2", "--jproc.backlog=64");
	}

	@Test
	void argumentsTheEnvironmentSeesAreNotReported() {
		List<String> commandLine = List.of("-jar", "app.jar", "--jproc.workers=2");
		assertThat(UnseenArguments.unseen(commandLine, Map.of("jproc.workers", "2")::get)).isEmpty();
	}

	@Test
	void argumentsOverriddenByAnotherSourceAreReported() {
		List<String> commandLine = List.of("-jar", "app.jar", "--jproc.workers=3");
		assertThat(UnseenArguments.unseen(commandLine, Map.of("jproc.workers", "2")::get))
			.containsExactly("--jproc.workers=3");
	}

	@Test
	void valuesThatMayBeSecretsAreMasked() {
		List<String> commandLine = List.of("-jar", "app.jar", "--jproc.x.db-password=hunter2", "--jproc.apiToken=abc",
				"--jproc.x.secret=s", "--jproc.x.private-key=k", "--jproc.x.credentials=c", "--jproc.workers=2");
		List<String> unseen = UnseenArguments.unseen(commandLine, Map.<String, String>of()::get);
		assertThat(unseen).containsExactly("--jproc.x.db-password=******", "--jproc.apiToken=******",
				"--jproc.x.secret=******", "--jproc.x.private-key=******", "--jproc.x.credentials=******",
				"--jproc.workers=2");
		assertThat(String.join(" ", unseen)).doesNotContain("hunter2", "abc");
	}

	@Test
	void jvmOptionsAreNotArguments() {
		assertThat(
				UnseenArguments.unseen(List.of("-Djproc.workers=2", "-jar", "app.jar"), Map.<String, String>of()::get))
			.isEmpty();
	}

}
