package io.jproc.worker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Plain HTTP/1.1 GET requests to this JVM's own server on a loopback port, each on a new
 * connection, answer read to the end: what boot cache training and worker warm-up send
 * through the application's handler chain.
 */
final class LoopbackRequests {

	private static final int TIMEOUT_MILLIS = 10_000;

	private LoopbackRequests() {
	}

	/**
	 * Send {@code requests} requests to each path, from {@code clients} threads.
	 * @param port the loopback port
	 * @param paths the paths, each requested in turn
	 * @param requests requests per path
	 * @param clients threads sending at once
	 * @param headers extra header lines, each ending in CRLF
	 * @param stop asked before every request: {@code true} ends early
	 * @return the outcome
	 */
	static Outcome send(int port, List<String> paths, int requests, int clients, String headers, BooleanSupplier stop) {
		AtomicInteger next = new AtomicInteger();
		AtomicInteger answered = new AtomicInteger();
		AtomicInteger failed = new AtomicInteger();
		int total = requests * paths.size();
		List<Thread> threads = new ArrayList<>();
		for (int c = 0; c < Math.max(1, clients); c++) {
			Thread thread = new Thread(() -> {
				for (int i = next.getAndIncrement(); i < total && !stop.getAsBoolean(); i = next.getAndIncrement()) {
					if (get(port, paths.get(i % paths.size()), headers)) {
						answered.incrementAndGet();
					}
					else {
						failed.incrementAndGet();
					}
				}
			}, "jproc-loopback-" + c);
			thread.setDaemon(true);
			thread.start();
			threads.add(thread);
		}
		for (Thread thread : threads) {
			try {
				thread.join();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
		}
		return new Outcome(answered.get(), failed.get());
	}

	private static boolean get(int port, String path, String headers) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
			socket.setSoTimeout(TIMEOUT_MILLIS);
			OutputStream out = socket.getOutputStream();
			out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n" + headers
					+ "Connection: close\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			byte[] buffer = new byte[8192];
			while (in.read(buffer) >= 0) {
				// Read the whole answer so the server does its whole work.
			}
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * What came of the requests.
	 *
	 * @param answered requests answered (any status)
	 * @param failed requests that could not be sent or read
	 */
	record Outcome(int answered, int failed) {
	}

}
