package io.jproc.sample.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One HTTP/1.1 request on a new connection ({@code Connection: close}), so that every
 * request is a new accept on the shared socket and any worker may take it.
 */
public final class RawHttp {

	private static final Pattern STATUS = Pattern.compile("^HTTP/1\\.[01] (\\d{3})");

	private static final Pattern PID = Pattern.compile("\"pid\":(\\d+)");

	private static final Pattern WORKER = Pattern.compile("\"worker\":(\\d+)");

	private RawHttp() {
	}

	/**
	 * GET a path.
	 * @param port the port on 127.0.0.1
	 * @param path the path
	 * @param timeout connect and read timeout
	 * @return the response
	 * @throws IOException on any failure (refused, reset, timeout)
	 */
	public static Response get(int port, String path, Duration timeout) throws IOException {
		try (Pending pending = send(port, path, timeout)) {
			return pending.response();
		}
	}

	/**
	 * Connect and send a request now; read the response later. Once this returns, the
	 * request is on its way to a worker, whatever happens to the master next.
	 * @param port the port on 127.0.0.1
	 * @param path the path
	 * @param timeout connect and read timeout
	 * @return the request in flight
	 * @throws IOException if it cannot be sent
	 */
	public static Pending send(int port, String path, Duration timeout) throws IOException {
		return sendRaw(port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n",
				timeout);
	}

	/**
	 * POST a JSON body.
	 * @param port the port on 127.0.0.1
	 * @param path the path
	 * @param json the body
	 * @param timeout connect and read timeout
	 * @return the response
	 * @throws IOException on any failure
	 */
	public static Response post(int port, String path, String json, Duration timeout) throws IOException {
		byte[] body = json.getBytes(StandardCharsets.UTF_8);
		String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
				+ "\r\nContent-Type: application/json\r\nContent-Length: " + body.length
				+ "\r\nConnection: close\r\n\r\n";
		try (Pending pending = sendRaw(port, head + json, timeout)) {
			return pending.response();
		}
	}

	private static Pending sendRaw(int port, String request, Duration timeout) throws IOException {
		Socket socket = new Socket();
		try {
			socket.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
			socket.setSoTimeout((int) timeout.toMillis());
			OutputStream out = socket.getOutputStream();
			out.write(request.getBytes(StandardCharsets.UTF_8));
			out.flush();
			return new Pending(socket);
		}
		catch (IOException ex) {
			socket.close();
			throw ex;
		}
	}

	/**
	 * A request that was sent and whose response is still to be read.
	 */
	public static final class Pending implements AutoCloseable {

		private final Socket socket;

		Pending(Socket socket) {
			this.socket = socket;
		}

		/**
		 * Read the whole response.
		 * @return the response
		 * @throws IOException on reset, timeout or a response without status
		 */
		public Response response() throws IOException {
			InputStream in = this.socket.getInputStream();
			ByteArrayOutputStream response = new ByteArrayOutputStream();
			in.transferTo(response);
			String text = response.toString(StandardCharsets.UTF_8);
			Matcher status = STATUS.matcher(text);
			if (!status.find()) {
				throw new IOException("no HTTP status in response: '" + text + "'");
			}
			int split = text.indexOf("\r\n\r\n");
			return new Response(Integer.parseInt(status.group(1)), (split >= 0) ? text.substring(split + 4) : "");
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
		}

	}

	/**
	 * A response.
	 *
	 * @param status the status code
	 * @param body the body (chunked framing left in place)
	 */
	public record Response(int status, String body) {

		/**
		 * The pid of the worker that answered, for the sample app's {@code /} and
		 * {@code /slow}.
		 * @return the pid, or -1
		 */
		public long pid() {
			Matcher matcher = PID.matcher(this.body);
			return matcher.find() ? Long.parseLong(matcher.group(1)) : -1;
		}

		/**
		 * The body without chunked transfer framing, if it has any.
		 * @return the body's content
		 */
		public String unchunked() {
			if (!this.body.matches("(?s)^[0-9a-fA-F]+\r\n.*")) {
				return this.body;
			}
			StringBuilder joined = new StringBuilder();
			int at = 0;
			while (true) {
				int end = this.body.indexOf("\r\n", at);
				int size = Integer.parseInt(this.body.substring(at, end).trim(), 16);
				if (size == 0) {
					return joined.toString();
				}
				joined.append(this.body, end + 2, end + 2 + size);
				at = end + 2 + size + 2;
			}
		}

		/**
		 * The id of the worker that answered.
		 * @return the id, or -1
		 */
		public int worker() {
			Matcher matcher = WORKER.matcher(this.body);
			return matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
		}

	}

}
