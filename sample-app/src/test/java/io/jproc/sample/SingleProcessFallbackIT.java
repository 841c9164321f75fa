package io.jproc.sample;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import io.jproc.sample.support.MasterProcess;
import io.jproc.sample.support.RawHttp;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where native epoll is not available, jproc says so and the application runs as a plain
 * single-process Boot app instead of failing. Netty's own switch that disables native
 * transports stands in for a platform without epoll.
 */
class SingleProcessFallbackIT {

	@Test
	void withoutEpollTheAppRunsSingleProcessAndSaysSo() throws Exception {
		try (MasterProcess app = MasterProcess.start("no-epoll", List.of("-Dio.netty.transport.noNative=true"),
				"--jproc.workers=2")) {
			int port = Integer.parseInt(
					app.awaitLog(Pattern.compile("Netty started on port (\\d+)"), Duration.ofSeconds(60)).group(1));
			assertThat(app.log()).contains("epoll is not available here")
				.contains("jproc.workers=2 is ignored and the application runs single-process");
			RawHttp.Response response = RawHttp.get(port, "/", Duration.ofSeconds(10));
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.pid()).as("served by the process itself").isEqualTo(app.pid());
			assertThat(app.workerPids()).as("no workers").isEmpty();
		}
	}

}
