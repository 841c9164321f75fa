package io.jproc.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.jproc.sample.support.MasterProcess;
import io.jproc.sample.support.Signals;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The master and its workers share one standard output. When its reader stops taking (a
 * pipe to a stopped consumer, a terminal held by Ctrl-S, a log driver on a full disk) and
 * a worker floods it, every write to it blocks. Before, the master's loop blocked in its
 * next log line ("shutdown begun" here) and supervised nothing more: SIGTERM never ended
 * the pool, the stuck worker was never killed. Now the master's lines wait in a bounded
 * queue: it kills the stuck worker at its shutdown deadline and exits, with nobody
 * reading its output.
 */
class BlockedOutputIT {

	private static final Pattern LISTENING = Pattern.compile("listening on [^ ]+:(\\d+) \\(server\\)");

	/** A pipe holds 64 KiB; a writer waits once less than its write is free. */
	private static final int PIPE_FULL = 60_000;

	@Test
	void aFloodIntoAnOutputNobodyReadsDoesNotWedgeTheMaster() throws Exception {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(MasterProcess.FAST_JVM);
		command.addAll(List.of("-jar", MasterProcess.jar().toString(), "--server.address=127.0.0.1", "--server.port=0",
				"--jproc.workers=1", "--jproc.boot-cache.enabled=false", "--jproc.warmup.requests=0",
				"--sample.trouble-endpoints=true", "--jproc.drain-timeout=2s"));
		Path logs = Path.of("target", "it-logs");
		Files.createDirectories(logs);
		Process master = new ProcessBuilder(command).redirectErrorStream(true).start();
		List<ProcessHandle> workers = new ArrayList<>();
		Writer copy = Files.newBufferedWriter(logs.resolve("blocked-output.log"));
		try {
			InputStream output = master.getInputStream();
			AtomicInteger port = new AtomicInteger();
			CountDownLatch ready = new CountDownLatch(1);
			// Read (and keep a copy) until the pool is ready, then stop reading.
			Thread reader = new Thread(() -> {
				try {
					BufferedReader lines = new BufferedReader(new InputStreamReader(output, StandardCharsets.UTF_8), 1);
					String line;
					while ((line = lines.readLine()) != null) {
						copy.write(line + "\n");
						Matcher listening = LISTENING.matcher(line);
						if (listening.find()) {
							port.set(Integer.parseInt(listening.group(1)));
						}
						if (line.contains("all 1 workers ready")) {
							ready.countDown();
							return;
						}
					}
				}
				catch (IOException ex) {
					// The process ended: the latch says whether it got ready.
				}
			}, "blocked-output-reader");
			reader.start();
			assertThat(ready.await(240, TimeUnit.SECONDS)).as("the pool got ready").isTrue();
			reader.join(5000);
			copy.flush();
			workers.addAll(master.toHandle().children().toList());
			assertThat(workers).as("the worker").hasSize(1);

			// The worker floods the output nobody reads: 2 MB of lines.
			HttpClient.newHttpClient()
				.sendAsync(HttpRequest
					.newBuilder(
							URI.create("http://127.0.0.1:" + port.get() + "/trouble/log-flood?lines=10000&size=200"))
					.build(), HttpResponse.BodyHandlers.discarding());
			long fullBy = System.nanoTime() + Duration.ofSeconds(30).toNanos();
			while (output.available() < PIPE_FULL) {
				assertThat(System.nanoTime()).as("the output fills within 30 s (" + output.available() + " bytes)")
					.isLessThan(fullBy);
				Thread.sleep(50);
			}

			// Now every write to the output blocks. The pool must still shut down: the
			// worker cannot drain (it waits to log), so the master kills it at its
			// shutdown deadline, then exits.
			long sent = System.nanoTime();
			Signals.send(master.pid(), "TERM");
			boolean workerGone = workers.get(0).onExit().completeOnTimeout(null, 60, TimeUnit.SECONDS).get() != null;
			System.out.println("worker gone: " + workerGone + " after " + millisSince(sent) + " ms, output "
					+ output.available() + " bytes unread");
			assertThat(workerGone)
				.as("the stuck worker killed by the master within 60 s of SIGTERM, " + "with nobody reading the output")
				.isTrue();
			assertThat(master.waitFor(30, TimeUnit.SECONDS)).as("the master exited with its output still blocked")
				.isTrue();
			System.out.println("master exited with " + master.exitValue() + " after " + millisSince(sent) + " ms");
			assertThat(master.exitValue()).as("the master's exit code").isZero();
		}
		finally {
			for (ProcessHandle worker : workers) {
				worker.destroyForcibly();
			}
			io.jproc.sample.support.Processes.killTree(master);
			copy.close();
		}
	}

	private static long millisSince(long start) {
		return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
	}

}
