package io.jproc.sample.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A WebSocket client of a sample application's {@code /ws}: the greeting names its worker
 * ({@code worker=<id> pid=<pid>}), every text sent is answered, and the close code and
 * the time it came are kept. Every wait is bounded by 10 s.
 */
public final class WebSocketClient implements WebSocket.Listener {

	private static final Duration BOUND = Duration.ofSeconds(10);

	private static final Pattern HOLDER = Pattern.compile("worker=(\\d+) pid=(\\d+)");

	private final CompletableFuture<String> greeting = new CompletableFuture<>();

	private volatile CompletableFuture<String> echo = new CompletableFuture<>();

	private final CompletableFuture<Integer> closed = new CompletableFuture<>();

	private final StringBuilder text = new StringBuilder();

	private volatile long closedAt;

	private WebSocket socket;

	private WebSocketClient() {
	}

	/**
	 * Connect to {@code ws://127.0.0.1:<port>/ws} and wait for the greeting.
	 * @param client the HTTP client that opens the WebSocket
	 * @param port the application's port
	 * @return the connected client
	 * @throws Exception if it cannot connect or no greeting came
	 */
	public static WebSocketClient open(HttpClient client, int port) throws Exception {
		WebSocketClient webSocket = new WebSocketClient();
		webSocket.socket = client.newWebSocketBuilder()
			.connectTimeout(BOUND)
			.buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), webSocket)
			.get(BOUND.toSeconds(), TimeUnit.SECONDS);
		webSocket.greeting.get(BOUND.toSeconds(), TimeUnit.SECONDS);
		return webSocket;
	}

	/**
	 * The pid of the worker that greeted.
	 * @return the pid
	 */
	public long pid() {
		Matcher matcher = HOLDER.matcher(this.greeting.join());
		assertThat(matcher.find()).as("greeting " + this.greeting.join()).isTrue();
		return Long.parseLong(matcher.group(2));
	}

	/**
	 * Send a text and wait for the answer.
	 * @param message the text
	 * @return the answer
	 * @throws Exception if none came
	 */
	public String echo(String message) throws Exception {
		this.echo = new CompletableFuture<>();
		this.socket.sendText(message, true);
		return this.echo.get(BOUND.toSeconds(), TimeUnit.SECONDS);
	}

	/**
	 * Wait for the server's close frame.
	 * @return its status code
	 * @throws Exception if none came, or the connection failed instead
	 */
	public int closeCode() throws Exception {
		return this.closed.get(BOUND.toSeconds(), TimeUnit.SECONDS);
	}

	/**
	 * When the close frame (or the error) came.
	 * @return the time, as {@link System#nanoTime()}
	 */
	public long closedAt() {
		return this.closedAt;
	}

	/**
	 * Drop the connection without a close frame.
	 */
	public void abort() {
		if (this.socket != null) {
			this.socket.abort();
		}
	}

	@Override
	public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
		this.text.append(data);
		if (last) {
			String message = this.text.toString();
			this.text.setLength(0);
			if (!this.greeting.complete(message)) {
				this.echo.complete(message);
			}
		}
		webSocket.request(1);
		return null;
	}

	@Override
	public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
		this.closedAt = System.nanoTime();
		this.closed.complete(statusCode);
		return null;
	}

	@Override
	public void onError(WebSocket webSocket, Throwable error) {
		this.closedAt = System.nanoTime();
		this.closed.completeExceptionally(error);
	}

}
