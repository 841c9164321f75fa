package io.jproc.ipc;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.jproc.master.lean.LeanExec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The frame codec loads no JSON library: the lean master runs it, and Jackson's databind
 * alone was some 600 of its classes. Nor, with the lean master's options, does its
 * reflection spin classes as it is used.
 */
class FrameCodecClassLoadingTests {

	@Test
	void codecInAJvmOfItsOwnLoadsNoJackson(@TempDir Path dir) throws Exception {
		List<String> loaded = classesLoadedBy(dir, List.of(), 1);
		assertThat(loaded).as("the codec ran").contains(FrameCodec.class.getName());
		assertThat(loaded).as("classes loaded")
			.noneMatch((name) -> name.startsWith("tools.jackson.") || name.startsWith("com.fasterxml.jackson."));
	}

	@Test
	void withTheLeanMastersReflectionOptionsUsingTheCodecLongerLoadsNoMoreClasses(@TempDir Path dir) throws Exception {
		List<String> once = classesLoadedBy(dir, LeanExec.NATIVE_REFLECTION, 1);
		List<String> longer = classesLoadedBy(dir, LeanExec.NATIVE_REFLECTION, 40);
		// without the options: 190 more on JDK 17 (GeneratedMethodAccessor...), 160 more
		// lambda forms on JDK 25
		assertThat(longer.size())
			.as("classes loaded in 40 rounds, against %d in one (%d against %d spun)", once.size(), spun(longer),
					spun(once))
			.isEqualTo(once.size());
	}

	private static long spun(List<String> classes) {
		return classes.stream().filter((name) -> name.contains("Generated") || name.contains("LambdaForm$")).count();
	}

	private static List<String> classesLoadedBy(Path dir, List<String> options, int rounds)
			throws IOException, InterruptedException {
		Path log = dir.resolve("class-load-" + rounds + ".txt");
		Path out = dir.resolve("out-" + rounds + ".txt");
		List<String> command = new ArrayList<>();
		command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
		command.addAll(options);
		command.addAll(List.of("-Xlog:class+load=info:file=" + log, "-cp", System.getProperty("java.class.path"),
				CodecOnlyMain.class.getName(), Integer.toString(rounds)));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the child JVM ended").isTrue();
		assertThat(process.exitValue()).as(Files.readString(out)).isZero();
		List<String> names = new ArrayList<>();
		for (String line : Files.readAllLines(log)) {
			// [0.012s][info][class,load] java.lang.Object source: shared objects file
			int start = line.indexOf("] ", line.indexOf("class,load"));
			if (start > 0) {
				int end = line.indexOf(' ', start + 2);
				names.add(line.substring(start + 2, (end > 0) ? end : line.length()));
			}
		}
		System.out.println(options + ", " + rounds + " rounds: " + names.size() + " classes, "
				+ names.stream().filter((name) -> name.startsWith("java.lang.invoke.")).count() + " java.lang.invoke, "
				+ names.stream().filter((name) -> name.startsWith("jdk.internal.reflect.")).count()
				+ " jdk.internal.reflect");
		return names;
	}

}
