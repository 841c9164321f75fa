package io.jproc.sample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.jproc.sample.support.Load;
import io.jproc.sample.support.MasterProcess;
import io.jproc.sample.support.RawHttp;
import io.jproc.sample.support.Signals;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded random pool events on a real pool under a steady request stream: HUP, kill -9 of
 * a worker or spare, scale up or down and restart of one worker through the actuator
 * (whose answer says whether the operation was taken), SIGSTOP of a worker or spare. Once
 * it settles, the master's children are the workers and spares {@code /actuator/workers}
 * lists, as many as wanted, each worker serves, no spare does, and the master is alive.
 * Once without spares and once with one. The seed is {@code -Djproc.chaos.seed} (default
 * 1, and 2 with a spare); {@code -Djproc.chaos.events} sets the count. The unit-level
 * twins, with a thousand seeds, are {@code ArbiterTests} and {@code SpareWorkerTests}.
 */
class ChaosIT {

	private static final Pattern WORKER = Pattern.compile("\"id\":(\\d+),\"pid\":(\\d+|null),\"state\":\"([a-z-]+)\"");

	private static final Pattern BUSY = Pattern.compile("\"incoming\":\\{|\"leavingPids\":\\[\\d");

	private static final Pattern SPARE = Pattern.compile("\\{\"pid\":(\\d+),\"number\":\\d+,\"state\":\"([a-z-]+)\"");

	@ParameterizedTest(name = "{0} spares")
	@ValueSource(ints = { 0, 1 })
	void randomPoolEventsUnderLoadSettleIntoTheWantedPool(int spares) throws Exception {
		long seed = Long.getLong("jproc.chaos.seed", 1 + spares);
		int events = Integer.getInteger("jproc.chaos.events", 8);
		Random random = new Random(seed);
		List<String> done = new ArrayList<>();
		try (MasterProcess master = MasterProcess.startPool("chaos-" + spares + "-" + seed, 2,
				"--jproc.spare-workers=" + spares, "--jproc.heartbeat.interval=500ms", "--jproc.heartbeat.timeout=3s",
				"--jproc.drain-timeout=5s",
				// A worker SIGSTOPped while it boots sends no heartbeat yet: only the
				// boot timeout finds it.
				"--jproc.worker.boot-timeout=30s", "--management.endpoint.workers.access=unrestricted");
				Load load = Load.start(master.port(), "/", 2, Duration.ofMinutes(5))) {
			load.awaitMore(50, Duration.ofSeconds(10));
			int wanted = 2;
			for (int i = 0; i < events; i++) {
				List<Long> workers = master.workerPids();
				long victim = workers.isEmpty() ? -1 : workers.get(random.nextInt(workers.size()));
				switch (random.nextInt(6)) {
					case 0 -> {
						master.signal("HUP");
						done.add("HUP");
					}
					case 1 -> {
						if (victim > 0) {
							done.add("KILL " + victim + (Signals.trySend(victim, "KILL") ? "" : " (already gone)"));
						}
					}
					case 2, 3 -> {
						// Scaled through the actuator, whose answer says whether it was
						// taken: one operation runs at a time (a scale during a reload or
						// restart, or a scale up while one boots, is refused with 409).
						int to = (wanted < 3 && (wanted == 1 || random.nextBoolean())) ? wanted + 1 : wanted - 1;
						RawHttp.Response response = RawHttp.post(master.port(), "/actuator/workers",
								"{\"action\":\"scale\",\"workers\":" + to + "}", Duration.ofSeconds(10));
						if (response.status() == 202) {
							wanted = to;
						}
						done.add("scale to " + to + " -> " + response.status());
					}
					case 4 -> {
						int id = 1 + random.nextInt(wanted);
						RawHttp.Response response = RawHttp.post(master.port(), "/actuator/workers/" + id,
								"{\"action\":\"restart\"}", Duration.ofSeconds(10));
						done.add("restart " + id + " -> " + response.status());
					}
					default -> {
						if (victim > 0) {
							done.add("STOP " + victim + (Signals.trySend(victim, "STOP") ? "" : " (already gone)"));
						}
					}
				}
				Thread.sleep(1000 + random.nextInt(3000));
			}
			String context = spares + " spares, seed " + seed + ", events " + done;
			Settled settled = awaitSettled(master, wanted, spares, Duration.ofSeconds(150), context);
			Set<Long> children = new TreeSet<>(settled.workers());
			children.addAll(settled.spares());
			assertThat(new TreeSet<>(master.workerPids())).as(context).isEqualTo(children);
			assertThat(servingPids(master, wanted)).as(context).containsExactlyInAnyOrderElementsOf(settled.workers());
			assertThat(master.process().isAlive()).as(context).isTrue();
			long before = load.ok();
			load.awaitMore(100, Duration.ofSeconds(20));
			assertThat(load.ok()).isGreaterThan(before);
		}
	}

	/**
	 * Wait until the master has exactly {@code wanted} live workers and {@code spares}
	 * spares and lists exactly those, all ready, with nothing incoming or leaving.
	 */
	private static Settled awaitSettled(MasterProcess master, int wanted, int spares, Duration timeout, String context)
			throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		String last = "";
		while (System.nanoTime() < deadline) {
			try {
				String body = RawHttp.get(master.port(), "/actuator/workers", Duration.ofSeconds(5)).body();
				last = body;
				List<Long> listed = new ArrayList<>();
				boolean allReady = true;
				Matcher matcher = WORKER.matcher(body);
				while (matcher.find()) {
					allReady &= "ready".equals(matcher.group(3));
					if (!"null".equals(matcher.group(2))) {
						listed.add(Long.parseLong(matcher.group(2)));
					}
				}
				List<Long> listedSpares = new ArrayList<>();
				int sparesAt = body.indexOf("\"spares\":[");
				Matcher spare = SPARE.matcher((sparesAt >= 0) ? body.substring(sparesAt) : "");
				while (spare.find()) {
					allReady &= "ready".equals(spare.group(2));
					listedSpares.add(Long.parseLong(spare.group(1)));
				}
				Set<Long> all = new HashSet<>(listed);
				all.addAll(listedSpares);
				List<Long> processes = master.workerPids();
				if (allReady && listed.size() == wanted && listedSpares.size() == spares && !BUSY.matcher(body).find()
						&& processes.size() == wanted + spares && new HashSet<>(processes).equals(all)) {
					return new Settled(listed, listedSpares);
				}
			}
			catch (java.io.IOException ex) {
				// A worker leaving as we asked; ask again.
			}
			Thread.sleep(500);
		}
		throw new AssertionError("the pool did not settle into " + wanted + " listed, ready workers and " + spares
				+ " spares within " + timeout + " (" + context + "); processes " + master.workerPids()
				+ ", last answer " + last + "\n" + master.tail(40));
	}

	private static Set<Long> servingPids(MasterProcess master, int wanted) throws Exception {
		Set<Long> seen = new HashSet<>();
		for (int i = 0; i < 400 && seen.size() < wanted; i++) {
			seen.add(RawHttp.get(master.port(), "/", Duration.ofSeconds(5)).pid());
		}
		return seen;
	}

	private record Settled(List<Long> workers, List<Long> spares) {
	}

}
