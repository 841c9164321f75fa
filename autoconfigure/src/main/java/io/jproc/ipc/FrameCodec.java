package io.jproc.ipc;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Length-prefixed JSON frames: a 4-byte big-endian length, then that many bytes of UTF-8
 * JSON {@code {"v":1,"seq":7,"re":0,"type":"ready","body":{...}}}.
 */
public final class FrameCodec {

	/** Largest frame accepted; a metrics scrape of a big app fits comfortably. */
	public static final int MAX_FRAME_BYTES = 16 * 1024 * 1024;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private FrameCodec() {
	}

	/**
	 * Encode one envelope as a frame, length prefix included.
	 * @param envelope the envelope
	 * @return the frame bytes
	 * @throws IllegalArgumentException if the encoded frame is larger than
	 * {@link #MAX_FRAME_BYTES}
	 */
	public static byte[] encode(Envelope envelope) {
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
	public static @Nullable Envelope read(InputStream in) throws IOException, MalformedFrameException {
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
		byte[] payload = new byte[length];
		try {
			data.readFully(payload);
		}
		catch (EOFException ex) {
			throw new MalformedFrameException("truncated frame: expected " + length + " bytes", true, 0);
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
	public static Envelope decode(byte[] payload) throws MalformedFrameException {
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
			throw new MalformedFrameException("unsupported version " + node.path("v"), false, seq);
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
		catch (JacksonException | IllegalArgumentException ex) {
			throw new MalformedFrameException("bad body for '" + type + "': " + shorten(ex.getMessage()), false, seq,
					replyTo);
		}
	}

	private static String shorten(@Nullable String text) {
		if (text == null) {
			return "";
		}
		String line = text.replaceAll("\\s+", " ");
		return (line.length() <= 120) ? line : line.substring(0, 120) + "...";
	}

}
