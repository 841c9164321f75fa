package io.jproc.sample;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import io.jproc.sample.support.MasterProcess;
import io.jproc.sample.support.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad frames a worker writes to its channel are logged and isolated to that worker: the
 * master never dies of them and the other worker never notices.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IpcIsolationIT {

	private static final Duration BOUND = Duration.ofSeconds(10);

	private static MasterProcess master;

	@BeforeAll
	static void startPool() throws Exception {
		master = MasterProcess.startPool("ipc-isolation", 2, "--sample.trouble-endpoints=true");
	}

	@AfterAll
	static void stopPool() {
		MasterProcess.closeShared(master);
	}

	@Test
	@Order(1)
	void frameThatIsNotJsonIsLoggedAndIgnored() throws Exception {
		List<Long> before = master.awaitWorkerCount(2, BOUND);
		RawHttp.Response sent = RawHttp.get(master.port(), "/trouble/garbage-to-master?kind=json", BOUND);
		assertThat(sent.status()).isEqualTo(200);
		master.awaitLog(Pattern.compile("\\(pid " + sent.pid() + "\\) sent a malformed frame, ignored: not JSON"),
				BOUND);
		assertStillServedBy(before);
	}

	@Test
	@Order(2)
	void unknownMessageTypeIsRefusedOnceWithoutAReplyLoop() throws Exception {
		List<Long> before = master.awaitWorkerCount(2, BOUND);
		RawHttp.Response sent = RawHttp.get(master.port(), "/trouble/garbage-to-master?kind=type", BOUND);
		master.awaitLog(Pattern.compile(
				"\\(pid " + sent.pid() + "\\) sent a malformed frame, ignored: unknown message type 'launch-missiles'"),
				BOUND);
		Thread.sleep(1500);
		assertThat(master.count(Pattern.compile("answering nothing this worker asked"))).as("the refusal's arrival")
			.isEqualTo(1);
		assertThat(master.count(Pattern.compile("does not take|answering nothing the master asked")))
			.as("replies bounced back and forth")
			.isZero();
		assertStillServedBy(before);
	}

	@Test
	@Order(3)
	void brokenFramingClosesOnlyThatWorkersChannelAndTheWorkerIsReplaced() throws Exception {
		List<Long> before = master.awaitWorkerCount(2, BOUND);
		RawHttp.Response sent = RawHttp.get(master.port(), "/trouble/garbage-to-master?kind=oversize", BOUND);
		long culprit = sent.pid();
		long bystander = before.stream().filter((pid) -> pid != culprit).findFirst().orElseThrow();
		master.awaitLog(Pattern.compile("\\(pid " + culprit + "\\) sent a malformed frame and its channel is closed"),
				BOUND);
		master.awaitLog(Pattern.compile("\\(pid " + culprit + "\\) exited with"), Duration.ofSeconds(30));
		List<Long> after = master.awaitWorkerCount(2, Duration.ofSeconds(30));
		assertThat(after).contains(bystander).doesNotContain(culprit);
		long replacement = after.stream().filter((pid) -> pid != bystander).findFirst().orElseThrow();
		master.awaitLog(Pattern.compile("\\(pid " + replacement + "\\) ready in"), Duration.ofSeconds(60));
		assertThat(master.process().isAlive()).as("master alive").isTrue();
		for (int i = 0; i < 20; i++) {
			assertThat(RawHttp.get(master.port(), "/", BOUND).status()).isEqualTo(200);
		}
	}

	private static void assertStillServedBy(List<Long> workers) throws Exception {
		assertThat(master.process().isAlive()).as("master alive").isTrue();
		assertThat(master.workerPids()).containsExactlyInAnyOrderElementsOf(workers);
		for (int i = 0; i < 20; i++) {
			RawHttp.Response response = RawHttp.get(master.port(), "/", BOUND);
			assertThat(response.status()).isEqualTo(200);
			assertThat(workers).contains(response.pid());
		}
	}

}
