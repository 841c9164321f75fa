package io.jproc.master.lean;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import io.jproc.master.launch.ListenSocket;

/**
 * What crosses the {@code execve} from the application's JVM to the lean master: the
 * resolved {@code jproc.*} properties ({@link PropertiesCodec}), the command line the
 * application was started with (workers are started from it, not from the lean JVM's),
 * the listening sockets by descriptor, and what the log lines need.
 * <p>
 * Encoded as {@link Properties} text (every character escaped, no ambiguity), written to
 * a private file that no name points to by the time the lean JVM reads it (see
 * {@link LeanExec}): the values may hold secrets ({@code jproc.worker.environment}),
 * which the command line would show to every user of the machine.
 *
 * @param properties the encoded {@code JprocProperties}
 * @param command the application's command line, executable first
 * @param sockets the listening sockets, the server's first
 * @param logging what the log lines need: {@code level.<logger>}, {@code name},
 * {@code group}, {@code ansi}
 */
public record HandOff(Map<String, String> properties, List<String> command, List<Socket> sockets,
		Map<String, String> logging) {

	private static final String PROPERTY = "jproc.";

	private static final String COMMAND = "command.";

	private static final String SOCKET = "socket.";

	private static final String LOGGING = "logging.";

	/**
	 * The hand-off as bytes.
	 * @return the encoded hand-off
	 */
	public byte[] encode() {
		Properties out = new Properties();
		this.properties.forEach((key, value) -> out.setProperty(PROPERTY + key, value));
		out.setProperty(COMMAND + "size", Integer.toString(this.command.size()));
		for (int i = 0; i < this.command.size(); i++) {
			out.setProperty(COMMAND + i, this.command.get(i));
		}
		out.setProperty(SOCKET + "size", Integer.toString(this.sockets.size()));
		for (int i = 0; i < this.sockets.size(); i++) {
			Socket socket = this.sockets.get(i);
			out.setProperty(SOCKET + i + ".name", socket.name());
			out.setProperty(SOCKET + i + ".fd", Integer.toString(socket.fd()));
			out.setProperty(SOCKET + i + ".source", socket.source().name());
		}
		this.logging.forEach((key, value) -> out.setProperty(LOGGING + key, value));
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try {
			out.store(bytes, null);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	/**
	 * Read a hand-off.
	 * @param bytes what {@link #encode} gave
	 * @return the hand-off
	 * @throws IllegalArgumentException if the bytes are not a whole hand-off
	 */
	public static HandOff decode(byte[] bytes) {
		Properties in = new Properties();
		try {
			in.load(new ByteArrayInputStream(bytes));
		}
		catch (IOException | IllegalArgumentException ex) {
			throw new IllegalArgumentException("jproc: unreadable lean master hand-off: " + ex.getMessage(), ex);
		}
		Map<String, String> properties = new TreeMap<>();
		Map<String, String> logging = new TreeMap<>();
		for (String key : in.stringPropertyNames()) {
			if (key.startsWith(PROPERTY)) {
				properties.put(key.substring(PROPERTY.length()), in.getProperty(key));
			}
			else if (key.startsWith(LOGGING)) {
				logging.put(key.substring(LOGGING.length()), in.getProperty(key));
			}
		}
		int commandSize = Integer.parseInt(required(in, COMMAND + "size"));
		List<String> command = new ArrayList<>(commandSize);
		for (int i = 0; i < commandSize; i++) {
			command.add(required(in, COMMAND + i));
		}
		int socketCount = Integer.parseInt(required(in, SOCKET + "size"));
		List<Socket> sockets = new ArrayList<>(socketCount);
		for (int i = 0; i < socketCount; i++) {
			sockets
				.add(new Socket(required(in, SOCKET + i + ".name"), Integer.parseInt(required(in, SOCKET + i + ".fd")),
						ListenSocket.Source.valueOf(required(in, SOCKET + i + ".source"))));
		}
		if (command.isEmpty() || sockets.isEmpty()) {
			throw new IllegalArgumentException("jproc: the lean master hand-off has no command line or no socket");
		}
		return new HandOff(properties, List.copyOf(command), List.copyOf(sockets), logging);
	}

	private static String required(Properties in, String key) {
		String value = in.getProperty(key);
		if (value == null) {
			throw new IllegalArgumentException("jproc: the lean master hand-off has no " + key);
		}
		return value;
	}

	/**
	 * A listening socket handed over.
	 *
	 * @param name {@code server} or {@code management}
	 * @param fd its descriptor, the same in both JVMs
	 * @param source how the application's JVM got it
	 */
	public record Socket(String name, int fd, ListenSocket.Source source) {

	}

}
