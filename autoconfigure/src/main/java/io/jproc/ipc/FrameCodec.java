package io.jproc.ipc;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Length-prefixed JSON frames: a 4-byte big-endian length, then that many bytes of UTF-8
 * JSON {@code {"v":1,"seq":7,"re":0,"type":"ready","body":{...}}}.
 * <p>
 * Enums travel by name: a {@link WireEnum} by its wire name, any other (Boot's
 * {@code LogLevel}) by its constant's name. A value the enum does not know, from a peer
 * of a newer or older build, makes the frame malformed (never fatal) with a message that
 * names the message type, the field and the value, and is counted in
 * {@link #unknownValueFrames()}.
 */
final class FrameCodec {

	/** Largest frame accepted; a metrics scrape of a big app fits comfortably. */
	static final int MAX_FRAME_BYTES = 16 * 1024 * 1024;

	private static final JsonMapper JSON = JsonMapper.builder().enable(EnumFeature.FAIL_ON_NUMBERS_FOR_ENUMS).build();

	private static final LongAdder unknownValues = new LongAdder();

	private FrameCodec() {
	}

	/**
	 * Encode one envelope as a frame, length prefix included.
	 * @param envelope the envelope
	 * @return the frame bytes
	 * @throws IllegalArgumentException if the encoded frame is larger than
	 * {@link #MAX_FRAME_BYTES}
	 */
	static byte[] encode(Envelope envelope) {
		ObjectNode node = JSON.createObjectNode();
		node.put("v", Envelope.VERSION);
		node.put("seq", envelope.seq());
		node.put("re", envelope.replyTo());
		node.put("type", MessageTypes.nameOf(envelope.message()));
		node.set("body", JSON.valueToTree(envelope.message()));
		byte[] json = JSON.writeValueAsBytes(node);
		if (json.length > MAX_FRAME_BYTES) {
			throw new IllegalArgumentException(
					"frame of " + json.length + " bytes is over the limit of " + MAX_FRAME_BYTES);
		}
		return ByteBuffer.allocate(4 + json.length).putInt(json.length).put(json).array();
	}

	/**
	 * Read the next frame.
	 * @param in the stream
	 * @return the envelope, or {@code null} at a clean end of stream
	 * @throws MalformedFrameException if the frame is bad; see
	 * {@link MalformedFrameException#isFatal()}
	 * @throws IOException on a read error
	 */
	static @Nullable Envelope read(InputStream in) throws IOException, MalformedFrameException {
		DataInputStream data = (in instanceof DataInputStream d) ? d : new DataInputStream(in);
		int first = data.read();
		if (first < 0) {
			return null;
		}
		byte[] rest = new byte[3];
		try {
			data.readFully(rest);
		}
		catch (EOFException ex) {
			throw new MalformedFrameException("truncated length prefix", true, 0);
		}
		int length = (first << 24) | ((rest[0] & 0xff) << 16) | ((rest[1] & 0xff) << 8) | (rest[2] & 0xff);
		if (length <= 0 || length > MAX_FRAME_BYTES) {
			throw new MalformedFrameException(
					"frame length " + Integer.toUnsignedString(length) + " is outside 1.." + MAX_FRAME_BYTES, true, 0);
		}
		// Read in chunks as the bytes come: a peer that claims a large frame and sends
		// little makes the reader hold what it sent, not the length it claimed.
		byte[] payload = data.readNBytes(length);
		if (payload.length < length) {
			throw new MalformedFrameException(
					"truncated frame: expected " + length + " bytes, the stream ended after " + payload.length, true,
					0);
		}
		return decode(payload);
	}

	/**
	 * Decode the JSON payload of one frame.
	 * @param payload the bytes after the length prefix
	 * @return the envelope
	 * @throws MalformedFrameException (never fatal) if the payload is not a valid
	 * envelope
	 */
	static Envelope decode(byte[] payload) throws MalformedFrameException {
		JsonNode node;
		try {
			node = JSON.readTree(payload);
		}
		catch (JacksonException ex) {
			throw new MalformedFrameException("not JSON: " + shorten(new String(payload, StandardCharsets.UTF_8)),
					false, 0);
		}
		if (node == null || !node.isObject()) {
			throw new MalformedFrameException("not a JSON object", false, 0);
		}
		long seq = node.path("seq").asLong(0);
		int version = node.path("v").asInt(-1);
		if (version != Envelope.VERSION) {
			throw new MalformedFrameException("unsupported version " + shorten(node.path("v").toString(), 40), false,
					seq);
		}
		if (seq <= 0) {
			throw new MalformedFrameException("missing or bad seq", false, 0);
		}
		long replyTo = node.path("re").asLong(0);
		String type = node.path("type").asString("");
		Class<? extends Message> messageType = MessageTypes.typeOf(type);
		if (messageType == null) {
			throw new MalformedFrameException("unknown message type '" + shorten(type) + "'", false, seq, replyTo);
		}
		JsonNode body = node.path("body");
		if (!body.isObject()) {
			throw new MalformedFrameException("missing body for '" + type + "'", false, seq, replyTo);
		}
		try {
			return new Envelope(seq, replyTo, JSON.treeToValue(body, messageType));
		}
		catch (InvalidFormatException ex) {
			if (ex.getTargetType() != null && ex.getTargetType().isEnum()) {
				unknownValues.increment();
				throw new MalformedFrameException("unknown value '" + shorten(String.valueOf(ex.getValue()), 40)
						+ "' in '" + type + "' at " + path(ex) + " (known: " + namesOf(ex.getTargetType())
						+ "); is the peer of another version?", false, seq, replyTo);
			}
			throw badBody(type, ex, seq, replyTo);
		}
		catch (JacksonException | IllegalArgumentException ex) {
			throw badBody(type, ex, seq, replyTo);
		}
	}

	/**
	 * Frames this process refused because an enum field held a value it does not know:
	 * the sign of a peer of another version.
	 * @return the count since the JVM started
	 */
	static long unknownValueFrames() {
		return unknownValues.sum();
	}

	private static MalformedFrameException badBody(String type, Exception ex, long seq, long replyTo) {
		return new MalformedFrameException("bad body for '" + type + "': " + shorten(ex.getMessage()), false, seq,
				replyTo);
	}

	private static String path(JacksonException ex) {
		StringBuilder path = new StringBuilder();
		for (JacksonException.Reference reference : ex.getPath()) {
			if (reference.getPropertyName() != null) {
				path.append((path.isEmpty()) ? "" : ".").append(reference.getPropertyName());
			}
			else if (reference.getIndex() >= 0) {
				path.append('[').append(reference.getIndex()).append(']');
			}
		}
		return path.isEmpty() ? "?" : path.toString();
	}

	private static String namesOf(Class<?> type) {
		return Arrays.stream(type.getEnumConstants())
			.map((constant) -> (constant instanceof WireEnum wire) ? wire.wireName() : ((Enum<?>) constant).name())
			.collect(Collectors.joining(", "));
	}

	private static String shorten(@Nullable String text) {
		return shorten(text, 120);
	}

	private static String shorten(@Nullable String text, int max) {
		if (text == null) {
			return "";
		}
		String line = text.replaceAll("\\s+", " ");
		return (line.length() <= max) ? line : line.substring(0, max) + "...";
	}

}
