package io.jproc.sample;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import io.jproc.sample.support.Load;
import io.jproc.sample.support.MasterProcess;
import io.jproc.sample.support.RawHttp;
import io.jproc.sample.support.RetirementLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Opt-in measurement, not a check: {@code mvn verify -pl sample-app -am
 * -Dit.test=RetirementBenchIT -Djproc.bench=true}. Under a steady stream of requests it
 * runs 10 consecutive planned retirements, then 5 OOM retirements, and prints the failed
 * requests of each phase and the times from retire request to replacement ready.
 */
@EnabledIfSystemProperty(named = "jproc.bench", matches = "true")
class RetirementBenchIT {

	private static final Pattern OOM_RETIRED = Pattern.compile("\\(pid (\\d+)\\) retired \\(OutOfMemoryError");

	@Test
	void plannedAndFatalRetirementsUnderLoad() throws Exception {
		try (MasterProcess master = MasterProcess.start("retirement-bench", "--jproc.workers=2",
				"--sample.trouble-endpoints=true", "--jproc.restart.min-uptime=1s")) {
			master.awaitAllReady(2, Duration.ofSeconds(90));
			int port = master.port();
			List<Double> plannedReady = new ArrayList<>();
			try (Load load = Load.start(port, "/", 2, Duration.ofSeconds(300))) {
				load.awaitMore(100, Duration.ofSeconds(10));
				for (int i = 0; i < 10; i++) {
					long pid = RawHttp.get(port, "/trouble/retire?reason=bench", Duration.ofSeconds(10)).pid();
					plannedReady.add(RetirementLine.await(master, pid, Duration.ofSeconds(90)).readyAt());
				}
				load.awaitMore(50, Duration.ofSeconds(10));
				report("planned x10", load, plannedReady);
			}
			List<Double> fatalReady = new ArrayList<>();
			try (Load load = Load.start(port, "/", 2, Duration.ofSeconds(300))) {
				load.awaitMore(100, Duration.ofSeconds(10));
				for (int i = 1; i <= 5; i++) {
					try {
						RawHttp.get(port, "/trouble/oom", Duration.ofSeconds(10));
					}
					catch (IOException ex) {
						// That connection ends with the fatal error.
					}
					long pid = Long.parseLong(master.awaitLog(OOM_RETIRED, i, Duration.ofSeconds(30)).group(1));
					fatalReady.add(RetirementLine.await(master, pid, Duration.ofSeconds(90)).readyAt());
				}
				load.awaitMore(50, Duration.ofSeconds(10));
				report("OOM x5", load, fatalReady);
			}
		}
	}

	private static void report(String phase, Load load, List<Double> ready) {
		List<Double> sorted = ready.stream().sorted().toList();
		double median = (sorted.get((sorted.size() - 1) / 2) + sorted.get(sorted.size() / 2)) / 2;
		System.out.println("BENCH " + phase + ": requests ok " + load.ok() + ", failed " + load.failures().size() + " "
				+ load.failures() + "; retire request to replacement ready: median " + median + " s, all " + ready);
	}

}
