package io.jproc.sample.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client of a sample application's {@code /events} that reads the stream to its end on
 * a thread of its own, and says how it ended: a clean end (the final chunk) or cut. Its
 * first event names its worker ({@code worker=<id> pid=<pid>}).
 */
public final class EventStream {

	private static final Duration BOUND = Duration.ofSeconds(10);

	private static final Pattern HOLDER = Pattern.compile("worker=(\\d+) pid=(\\d+)");

	private final CompletableFuture<String> first = new CompletableFuture<>();

	private final CompletableFuture<String> ending = new CompletableFuture<>();

	private volatile long endedAt;

	private volatile InputStream body;

	private EventStream() {
	}

	/**
	 * Ask for {@code http://127.0.0.1:<port>/events} and wait for the first event, 10 s
	 * at most.
	 * @param client the HTTP client that sends the request
	 * @param port the application's port
	 * @return the stream, read on a daemon thread of its own
	 * @throws Exception if the request failed or no event came
	 */
	public static EventStream open(HttpClient client, int port) throws Exception {
		EventStream stream = new EventStream();
		HttpResponse<InputStream> response = client.send(
				HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events")).timeout(BOUND).build(),
				HttpResponse.BodyHandlers.ofInputStream());
		assertThat(response.statusCode()).isEqualTo(200);
		stream.body = response.body();
		Thread reader = new Thread(stream::read, "events-reader");
		reader.setDaemon(true);
		reader.start();
		stream.first.get(BOUND.toSeconds(), TimeUnit.SECONDS);
		return stream;
	}

	private void read() {
		try (BufferedReader reader = new BufferedReader(new InputStreamReader(this.body, StandardCharsets.UTF_8))) {
			String line;
			while ((line = reader.readLine()) != null) {
				if (line.startsWith("data:")) {
					this.first.complete(line);
				}
			}
			this.endedAt = System.nanoTime();
			this.ending.complete("clean end");
		}
		catch (IOException ex) {
			this.endedAt = System.nanoTime();
			this.ending.complete("cut: " + ex);
		}
	}

	/**
	 * The pid of the worker that sent the first event.
	 * @return the pid
	 */
	public long pid() {
		Matcher matcher = HOLDER.matcher(this.first.join());
		assertThat(matcher.find()).isTrue();
		return Long.parseLong(matcher.group(2));
	}

	/**
	 * How the stream ended, waiting for its end.
	 * @param bound how long to wait at most
	 * @return {@code clean end}, or {@code cut: } and the exception
	 * @throws Exception if it did not end within the bound
	 */
	public String ending(Duration bound) throws Exception {
		return this.ending.get(bound.toMillis(), TimeUnit.MILLISECONDS);
	}

	/**
	 * When the stream ended.
	 * @return the time, as {@link System#nanoTime()}
	 */
	public long endedAt() {
		return this.endedAt;
	}

	/**
	 * Close the client's side of the stream.
	 */
	public void abort() {
		try {
			if (this.body != null) {
				this.body.close();
			}
		}
		catch (IOException ex) {
			// Closing a client's stream: nothing to do.
		}
	}

}
