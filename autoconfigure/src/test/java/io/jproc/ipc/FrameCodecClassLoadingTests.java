package io.jproc.ipc;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The frame codec loads no JSON library: the lean master runs it, and Jackson's databind
 * alone was some 600 of its classes.
 */
class FrameCodecClassLoadingTests {

	@Test
	void codecInAJvmOfItsOwnLoadsNoJackson(@TempDir Path dir) throws Exception {
		List<String> loaded = classesLoadedBy(CodecOnlyMain.class, dir);
		assertThat(loaded).as("the codec ran").contains(FrameCodec.class.getName(), RecordMapping.class.getName());
		assertThat(loaded).as("classes loaded")
			.noneMatch((name) -> name.startsWith("tools.jackson.") || name.startsWith("com.fasterxml.jackson."));
	}

	static List<String> classesLoadedBy(Class<?> main, Path dir) throws IOException, InterruptedException {
		Path log = dir.resolve("class-load.txt");
		Path out = dir.resolve("out.txt");
		String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
		Process process = new ProcessBuilder(java, "-Xshare:auto", "-Xlog:class+load=info:file=" + log, "-cp",
				System.getProperty("java.class.path"), main.getName())
			.redirectErrorStream(true)
			.redirectOutput(out.toFile())
			.start();
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
		System.out.println(main.getSimpleName() + " loaded " + names.size() + " classes, "
				+ names.stream().filter((name) -> name.startsWith("java.lang.invoke.")).count() + " java.lang.invoke, "
				+ names.stream().filter((name) -> name.startsWith("jdk.internal.reflect.")).count()
				+ " jdk.internal.reflect");
		return names;
	}

}
