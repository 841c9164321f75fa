package io.jproc.master.launch;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WorkerSizing}.
 */
class WorkerSizingTests {

	@Test
	void eachWorkerGetsItsShareOfProcessorsAndOfTheDefaultHeap() {
		WorkerSizing sizing = WorkerSizing.choose(List.of("-Dx=1"), 8, 4);
		assertThat(sizing.options()).containsExactly("-XX:ActiveProcessorCount=2", "-XX:MaxRAMPercentage=6.25",
				"-XX:InitialRAMPercentage=0.391");
		assertThat(sizing.describe()).contains("8 processors / 4 workers")
			.contains("25% of memory shared by 4")
			.contains("1/64 of memory shared by 4");
	}

	@Test
	void sparesShareTheHeapButNotTheProcessors() {
		WorkerSizing sizing = WorkerSizing.choose(List.of(), 4, 2, 2);
		assertThat(sizing.options()).containsExactly("-XX:ActiveProcessorCount=2", "-XX:MaxRAMPercentage=6.25",
				"-XX:InitialRAMPercentage=0.391");
		assertThat(sizing.describe()).contains("shared by 2 workers and 2 spares");
	}

	@Test
	void moreWorkersThanProcessorsStillGetOneProcessor() {
		assertThat(WorkerSizing.choose(List.of(), 2, 3).options()).containsExactly("-XX:ActiveProcessorCount=1",
				"-XX:MaxRAMPercentage=8.333", "-XX:InitialRAMPercentage=0.521");
	}

	@Test
	void oneWorkerKeepsTheJvmDefaults() {
		assertThat(WorkerSizing.choose(List.of(), 2, 1).options()).containsExactly("-XX:ActiveProcessorCount=2",
				"-XX:MaxRAMPercentage=25", "-XX:InitialRAMPercentage=1.563");
	}

	@Test
	void explicitOptionsWin() {
		for (String heap : List.of("-Xmx512m", "-XX:MaxRAMPercentage=50", "-XX:MaxRAM=4g", "-XX:MaxHeapSize=1g")) {
			WorkerSizing sizing = WorkerSizing.choose(List.of(heap), 4, 2);
			assertThat(sizing.options()).as(heap)
				.containsExactly("-XX:ActiveProcessorCount=2", "-XX:InitialRAMPercentage=0.781");
			assertThat(sizing.describe()).contains("heap as set by " + heap);
		}
		for (String initial : List.of("-Xms64m", "-XX:InitialHeapSize=64m", "-XX:InitialRAMPercentage=1",
				"-XX:MinHeapSize=32m")) {
			WorkerSizing sizing = WorkerSizing.choose(List.of(initial), 4, 2);
			assertThat(sizing.options()).as(initial)
				.containsExactly("-XX:ActiveProcessorCount=2", "-XX:MaxRAMPercentage=12.5");
			assertThat(sizing.describe()).contains("initial heap as set by " + initial);
		}
		WorkerSizing sizing = WorkerSizing.choose(List.of("-XX:ActiveProcessorCount=3"), 4, 2);
		assertThat(sizing.options()).containsExactly("-XX:MaxRAMPercentage=12.5", "-XX:InitialRAMPercentage=0.781");
		assertThat(sizing.describe()).contains("processors as set by -XX:ActiveProcessorCount=3");
	}

	@Test
	void optionsFromTheEnvironmentCount() {
		List<String> options = WorkerSizing.environmentOptions(
				Map.of("JDK_JAVA_OPTIONS", " -Xmx1g -Xms1g -Dy=2", "JAVA_TOOL_OPTIONS", "-XX:ActiveProcessorCount=1"));
		assertThat(options).containsExactly("-Xmx1g", "-Xms1g", "-Dy=2", "-XX:ActiveProcessorCount=1");
		assertThat(WorkerSizing.choose(options, 4, 2).options()).isEmpty();
	}

	@Test
	void aCommandLineSizedForOnePoolIsResizedInPlaceForAnother() {
		WorkerSizing one = WorkerSizing.choose(List.of(), 8, 1);
		WorkerSizing four = WorkerSizing.choose(List.of(), 8, 4);
		List<String> argv = List.of("java", "-XX:ActiveProcessorCount=8", "-XX:MaxRAMPercentage=25",
				"-XX:InitialRAMPercentage=1.563", "-Xss1m", "-jar", "app.jar");
		assertThat(WorkerSizing.replace(argv, one, four)).containsExactly("java", "-XX:ActiveProcessorCount=2",
				"-XX:MaxRAMPercentage=6.25", "-XX:InitialRAMPercentage=0.391", "-Xss1m", "-jar", "app.jar");
	}

	@Test
	void compactObjectHeadersFromJdk25UnlessTheUserChose() {
		assertThat(WorkerSizing.objectHeaders(17, List.of())).isEmpty();
		assertThat(WorkerSizing.objectHeaders(24, List.of())).isEmpty();
		assertThat(WorkerSizing.objectHeaders(25, List.of("-Xss1m"))).containsExactly("-XX:+UseCompactObjectHeaders");
		assertThat(WorkerSizing.objectHeaders(25, List.of("-XX:-UseCompactObjectHeaders"))).isEmpty();
		assertThat(WorkerSizing.objectHeaders(26, List.of("-XX:+UseCompactObjectHeaders"))).isEmpty();
	}

	@Test
	void offAddsNothing() {
		assertThat(WorkerSizing.off().options()).isEmpty();
		assertThat(WorkerSizing.off().describe()).contains("jproc.worker.right-size=false");
	}

}
