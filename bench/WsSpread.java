import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens COUNT WebSockets to the sample app's /ws, one every INTERVAL_MS, keeps them open,
 * and prints how many each worker holds (its greeting names it) and max/min. Run with
 * {@code java bench/WsSpread.java PORT [COUNT] [INTERVAL_MS]}; used by ws-spread.sh.
 */
public class WsSpread {

	public static void main(String[] args) throws Exception {
		int port = Integer.parseInt(args[0]);
		int count = (args.length > 1) ? Integer.parseInt(args[1]) : 100;
		long interval = (args.length > 2) ? Long.parseLong(args[2]) : 10;
		HttpClient client = HttpClient.newHttpClient();
		List<CompletableFuture<String>> greetings = new ArrayList<>();
		List<CompletableFuture<WebSocket>> sockets = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			CompletableFuture<String> greeting = new CompletableFuture<>();
			greetings.add(greeting);
			sockets.add(client.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"),
					new WebSocket.Listener() {
						@Override
						public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
							greeting.complete(data.toString());
							return null;
						}
					}));
			Thread.sleep(interval);
		}
		Pattern holder = Pattern.compile("worker=(\\d+) pid=(\\d+)");
		Map<String, Integer> perWorker = new TreeMap<>();
		for (CompletableFuture<String> greeting : greetings) {
			Matcher matcher = holder.matcher(greeting.get(30, TimeUnit.SECONDS));
			if (!matcher.find()) {
				throw new IllegalStateException("no worker in the greeting");
			}
			perWorker.merge("w" + matcher.group(1), 1, Integer::sum);
		}
		int max = perWorker.values().stream().mapToInt(Integer::intValue).max().orElse(0);
		int min = perWorker.values().stream().mapToInt(Integer::intValue).min().orElse(0);
		StringBuilder line = new StringBuilder();
		perWorker.forEach((worker, n) -> line.append(worker).append('=').append(n).append(' '));
		System.out.printf("%s|%d|%d|%.2f%n", line.toString().trim(), max, min, (min == 0) ? 999.0 : (double) max / min);
		for (CompletableFuture<WebSocket> socket : sockets) {
			socket.get(30, TimeUnit.SECONDS).abort();
		}
	}

}
