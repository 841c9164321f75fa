package io.jproc.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.jproc.sample.support.MasterProcess;
import io.jproc.sample.support.Processes;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code main()} that calls {@code SpringApplication.run(App.class)} without its
 * arguments: the {@code --jproc.*} options on the command line are lost, and jproc says
 * so in one warning that names the likely cause.
 */
class UnseenArgumentsIT {

	@Test
	void mainWithoutArgsIsNamedInOneWarning() throws Exception {
		Path log = Path.of("target", "it-logs", "unseen-arguments.log");
		Files.createDirectories(log.getParent());
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(MasterProcess.FAST_JVM);
		command.addAll(List.of("-Dloader.main=io.jproc.sample.NoArgsMain", "-cp", MasterProcess.jar().toString(),
				"org.springframework.boot.loader.launch.PropertiesLauncher", "--jproc.workers=3",
				"--server.address=127.0.0.1", "--server.port=0"));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		try {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
			String text = "";
			while (System.nanoTime() < deadline && !text.contains("Does main() call")) {
				Thread.sleep(200);
				text = Files.readString(log);
			}
			assertThat(text)
				.contains("jproc: the command line has --jproc.workers=3 but the application's "
						+ "Environment does not see it")
				.contains("SpringApplication.run(App.class, args)");
			assertThat(text.split("Does main\\(\\) call", -1)).as("one warning").hasSize(2);
		}
		finally {
			Processes.killTree(process);
		}
	}

}
