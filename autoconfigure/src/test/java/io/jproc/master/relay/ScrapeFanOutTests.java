package io.jproc.master.relay;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.jproc.ipc.IpcChannel;
import io.jproc.ipc.Message;
import io.jproc.ipc.Message.PoolScrape.WorkerScrape;
import io.jproc.master.process.WorkerHandle;
import io.jproc.testsupport.CloseAfterEach;
import io.jproc.testsupport.QuietListener;
import jnr.unixsocket.UnixSocketChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ScrapeFanOut} against fake workers on real socketpairs: one answers,
 * one answers garbage, one never answers.
 */
class ScrapeFanOutTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@RegisterExtension
	final CloseAfterEach open = new CloseAfterEach();

	@Test
	void lateAndGarbageWorkersDegradeOnlyTheirOwnPart() throws Exception {
		WorkerHandle good = worker(1, (request) -> frame(
				"{\"v\":1,\"seq\":1,\"re\":" + request + ",\"type\":\"scrape\",\"body\":{\"text\":\"up 1\\n\"}}"));
		WorkerHandle garbage = worker(2, (request) -> frame(
				"{\"v\":1,\"seq\":1,\"re\":" + request + ",\"type\":\"scrape\",\"body\":{\"text\":[1,2]}}"));
		WorkerHandle silent = worker(3, (request) -> null);
		CompletableFuture<List<WorkerScrape>> gathered = new CompletableFuture<>();
		ScrapeFanOut.gather(List.of(good, garbage, silent), new Message.ScrapeRequest("prometheus", null),
				Duration.ofMillis(500), gathered::complete);
		List<WorkerScrape> scrapes = gathered.get(5, TimeUnit.SECONDS);
		assertThat(scrapes).extracting(WorkerScrape::id).containsExactly(1, 2, 3);
		assertThat(scrapes.get(0).text()).isEqualTo("up 1\n");
		assertThat(scrapes.get(0).error()).isNull();
		assertThat(scrapes.get(1).text()).isNull();
		assertThat(scrapes.get(1).error()).contains("bad body for 'scrape'");
		assertThat(scrapes.get(2).text()).isNull();
		assertThat(scrapes.get(2).error()).isEqualTo("did not answer within 500 ms");
	}

	@Test
	void noOtherWorkersGathersNothingAtOnce() throws Exception {
		CompletableFuture<List<WorkerScrape>> gathered = new CompletableFuture<>();
		ScrapeFanOut.gather(List.of(), new Message.ScrapeRequest("prometheus", null), Duration.ofSeconds(1),
				gathered::complete);
		assertThat(gathered.get(1, TimeUnit.SECONDS)).isEmpty();
	}

	private WorkerHandle worker(int id, Answer answer) throws IOException {
		UnixSocketChannel[] pair = UnixSocketChannel.pair();
		IpcChannel master = IpcChannel.of(pair[0], "worker " + id);
		master.start(new QuietListener());
		this.open.add(master);
		this.open.add(pair[1]);
		Thread peer = new Thread(() -> {
			try (DataInputStream in = new DataInputStream(Channels.newInputStream(pair[1]))) {
				byte[] request = new byte[in.readInt()];
				in.readFully(request);
				byte[] reply = answer.to(JSON.readTree(request).path("seq").asLong());
				if (reply != null) {
					pair[1].write(ByteBuffer.wrap(reply));
				}
				in.read();
			}
			catch (IOException | RuntimeException ex) {
				// the test has ended
			}
		});
		peer.setDaemon(true);
		peer.start();
		return new WorkerHandle(id, 1000 + id, id, Instant.now(), master);
	}

	private static byte[] frame(String json) {
		byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
		return ByteBuffer.allocate(4 + bytes.length).putInt(bytes.length).put(bytes).array();
	}

	@FunctionalInterface
	private interface Answer {

		byte[] to(long requestSeq);

	}

}
