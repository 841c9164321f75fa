package io.jproc.sample;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.jproc.sample.support.MasterProcess;
import io.jproc.sample.support.RawHttp;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same messaging and leader-only task in a single process ({@code jproc.workers=0}).
 */
class MessagingSingleProcessIT {

	private static final Duration HTTP = Duration.ofSeconds(20);

	@Test
	void sameBeansWorkInOneProcess() throws Exception {
		try (MasterProcess app = MasterProcess.start("messaging-single", "--jproc.workers=0",
				"--sample.leader-tick=200ms")) {
			int port = Integer.parseInt(
					app.awaitLog(Pattern.compile("Netty started on port (\\d+)"), Duration.ofSeconds(240)).group(1));
			assertThat(RawHttp.post(port, "/sample/broadcast?text=solo&count=3", "", HTTP).status()).isEqualTo(200);
			RawHttp.Response received = null;
			long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			while (System.nanoTime() < end) {
				received = RawHttp.get(port, "/sample/received", HTTP);
				if (received.body().contains("solo-2")) {
					break;
				}
				Thread.sleep(100);
			}
			assertThat(received.body()).contains("\"received\":[\"solo-0\",\"solo-1\",\"solo-2\"]")
				.contains("\"pid\":" + app.pid());
			RawHttp.Response ask = RawHttp.get(port, "/sample/ask/1", HTTP);
			assertThat(ask.status()).as(ask.body()).isEqualTo(200);
			assertThat(ask.body()).contains("\"answeredPid\":" + app.pid());
			assertThat(RawHttp.get(port, "/sample/ask/2", HTTP).status()).isEqualTo(400);
			RawHttp.Response leader = RawHttp.get(port, "/sample/leader", HTTP);
			assertThat(leader.body()).contains("\"leader\":true").contains("\"epoch\":1");
			Matcher tick = app.awaitLog(Pattern.compile("leader tick epoch=(\\d+) pid=(\\d+)"), 3,
					Duration.ofSeconds(30));
			assertThat(tick.group(1)).isEqualTo("1");
			assertThat(Long.parseLong(tick.group(2))).isEqualTo(app.pid());
			assertThat(app.workerPids()).as("no workers").isEmpty();
		}
	}

}
