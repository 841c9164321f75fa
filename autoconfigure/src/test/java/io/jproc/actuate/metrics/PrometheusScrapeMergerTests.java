package io.jproc.actuate.metrics;

import java.util.List;

import io.jproc.actuate.metrics.PrometheusScrapeMerger.Merged;
import io.jproc.actuate.metrics.PrometheusScrapeMerger.Part;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PrometheusScrapeMerger}.
 */
class PrometheusScrapeMergerTests {

	private static final String WORKER_1 = """
			# HELP http_requests_total Requests
			# TYPE http_requests_total counter
			http_requests_total{method="GET",status="200"} 7.0
			http_requests_total{method="GET",status="500"} 1.0
			# HELP jvm_threads_live_threads Live threads
			# TYPE jvm_threads_live_threads gauge
			jvm_threads_live_threads 21.0
			# HELP jproc_pool_workers_ready Workers taking traffic
			# TYPE jproc_pool_workers_ready gauge
			jproc_pool_workers_ready 2.0
			""";

	private static final String WORKER_2 = """
			# HELP jvm_threads_live_threads Live threads
			# TYPE jvm_threads_live_threads gauge
			jvm_threads_live_threads 19.0
			# HELP http_requests_total Requests
			# TYPE http_requests_total counter
			http_requests_total{method="GET",status="200"} 3.0
			# HELP jproc_pool_workers_ready Workers taking traffic
			# TYPE jproc_pool_workers_ready gauge
			jproc_pool_workers_ready 1.0
			""";

	@Test
	void mergeLabelsEverySampleWithItsWorkerAndKeepsFamiliesTogether() {
		String text = PrometheusScrapeMerger
			.merge(List.of(new Part(1, 11, WORKER_1, null), new Part(2, 12, WORKER_2, null)), false)
			.text();
		assertThat(text).containsSubsequence("# TYPE http_requests_total counter",
				"http_requests_total{worker=\"1\",method=\"GET\",status=\"200\"} 7.0",
				"http_requests_total{worker=\"1\",method=\"GET\",status=\"500\"} 1.0",
				"http_requests_total{worker=\"2\",method=\"GET\",status=\"200\"} 3.0",
				"# TYPE jvm_threads_live_threads", "jvm_threads_live_threads{worker=\"1\"} 21.0",
				"jvm_threads_live_threads{worker=\"2\"} 19.0");
		assertThat(text.lines().filter((line) -> line.equals("# TYPE http_requests_total counter"))).hasSize(1);
	}

	@Test
	void poolFamiliesAppearOnceUnlabelledFromTheAnsweringWorker() {
		String text = PrometheusScrapeMerger
			.merge(List.of(new Part(1, 11, WORKER_1, null), new Part(2, 12, WORKER_2, null)), false)
			.text();
		assertThat(text.lines().filter((line) -> line.startsWith("jproc_pool_workers_ready")))
			.containsExactly("jproc_pool_workers_ready 2.0");
		assertThat(text.lines().filter((line) -> line.startsWith("# TYPE jproc_pool_workers_ready"))).hasSize(1);
		assertThat(text).contains("jproc_pool_scrape_success{worker=\"1\"} 1",
				"jproc_pool_scrape_success{worker=\"2\"} 1");
	}

	@Test
	void garbageFromOneWorkerLeavesOnlyThatWorkerOut() {
		Merged merged = PrometheusScrapeMerger.merge(List.of(new Part(1, 11, WORKER_1, null),
				new Part(2, 12, "jvm_threads_live_threads 3.0\n<html>oops</html>\n", null),
				new Part(3, 13, null, "did not answer within 2000 ms")), false);
		assertThat(merged.text()).contains("jvm_threads_live_threads{worker=\"1\"} 21.0")
			.doesNotContain("worker=\"2\"} 3.0")
			.contains("jproc_pool_scrape_success{worker=\"2\"} 0", "jproc_pool_scrape_success{worker=\"3\"} 0")
			.contains("# jproc: worker 2 (pid 12) left out of this scrape: unreadable metrics: line 2 is no sample")
			.contains("# jproc: worker 3 (pid 13) left out of this scrape: did not answer within 2000 ms");
		assertThat(
				merged.text().lines().filter((line) -> line.contains("worker=\"2\"") || line.contains("worker=\"3\"")))
			.allMatch((line) -> line.startsWith("jproc_pool_scrape_success"));
		assertThat(merged.errors()).hasSize(2);
	}

	@Test
	void binaryGarbageIsRejectedNotPassedOn() {
		Merged merged = PrometheusScrapeMerger
			.merge(List.of(new Part(1, 11, WORKER_1, null), new Part(2, 12, "\u0000\u0001{{{ 7", null)), false);
		assertThat(merged.text()).doesNotContain("\u0000").contains("jproc_pool_scrape_success{worker=\"2\"} 0");
	}

	@Test
	void openMetricsKeepsCounterSuffixesInTheirFamilyAndEndsOnce() {
		String one = """
				# TYPE events counter
				# HELP events Events
				events_total 4.0
				events_created 1.7E9
				# TYPE latency histogram
				latency_bucket{le="0.1"} 1 # {trace_id="abc"} 0.05
				latency_bucket{le="+Inf"} 2
				latency_count 2
				latency_sum 0.3
				# EOF
				""";
		String text = PrometheusScrapeMerger
			.merge(List.of(new Part(1, 11, one, null), new Part(2, 12, one, null)), true)
			.text();
		assertThat(text).containsSubsequence("# TYPE events counter", "events_total{worker=\"1\"} 4.0",
				"events_created{worker=\"1\"} 1.7E9", "events_total{worker=\"2\"} 4.0", "# TYPE latency histogram",
				"latency_bucket{worker=\"1\",le=\"0.1\"} 1 # {trace_id=\"abc\"} 0.05", "latency_sum{worker=\"2\"} 0.3");
		assertThat(text).endsWith("# EOF\n");
		assertThat(text.lines().filter("# EOF"::equals)).hasSize(1);
		assertThat(text.lines()
			.filter((line) -> line.startsWith("# ") && !line.startsWith("# HELP") && !line.startsWith("# TYPE")
					&& !line.equals("# EOF")))
			.isEmpty();
	}

	@Test
	void emptyLabelSetGetsOnlyTheWorkerLabel() {
		String text = PrometheusScrapeMerger.merge(List.of(new Part(4, 14, "up{} 1\n", null)), false).text();
		assertThat(text).contains("up{worker=\"4\"} 1");
	}

}
