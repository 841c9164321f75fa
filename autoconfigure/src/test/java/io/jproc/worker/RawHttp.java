package io.jproc.worker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * HTTP/1.1 {@code GET /} over a plain socket, for tests of a server on an inherited
 * socket: a client can connect and ask while the server accepts nothing (the kernel
 * queues the connection), and read the answer later or time out.
 */
public final class RawHttp {

	private RawHttp() {
	}

	/**
	 * Connect and send {@code GET /}, without reading the answer.
	 * @param address where to connect
	 * @param connection the request's {@code Connection} header ({@code close},
	 * {@code keep-alive})
	 * @param bound how long the connect may take
	 * @return the connected client, for the caller to close
	 * @throws IOException if it cannot connect or send
	 */
	public static Socket ask(SocketAddress address, String connection, Duration bound) throws IOException {
		Socket client = new Socket();
		try {
			client.connect(address, (int) bound.toMillis());
			client.getOutputStream()
				.write(("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: " + connection + "\r\n\r\n")
					.getBytes(StandardCharsets.US_ASCII));
			client.getOutputStream().flush();
			return client;
		}
		catch (IOException ex) {
			client.close();
			throw ex;
		}
	}

	/**
	 * {@code GET /} on a connection of its own, closed after the answer.
	 * @param address where to connect
	 * @param timeout how long the connect and every read may take
	 * @return the whole answer, head and body
	 * @throws IOException if it cannot connect, or on a read timeout
	 */
	public static String get(SocketAddress address, Duration timeout) throws IOException {
		try (Socket client = ask(address, "close", timeout)) {
			return response(client, timeout);
		}
	}

	/**
	 * Read until the server closes the connection.
	 * @param client the client
	 * @param timeout how long each read may take
	 * @return what the server sent
	 * @throws IOException on a read timeout ({@code SocketTimeoutException}) or error
	 */
	public static String response(Socket client, Duration timeout) throws IOException {
		client.setSoTimeout((int) timeout.toMillis());
		InputStream in = client.getInputStream();
		ByteArrayOutputStream read = new ByteArrayOutputStream();
		byte[] buffer = new byte[1024];
		int count;
		while ((count = in.read(buffer)) >= 0) {
			read.write(buffer, 0, count);
		}
		return read.toString(StandardCharsets.US_ASCII);
	}

}
