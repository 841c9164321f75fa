package io.jproc.ipc;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import org.jspecify.annotations.Nullable;

/**
 * Length-prefixed JSON frames: a 4-byte big-endian length, then that many bytes of UTF-8
 * JSON {@code {"v":1,"seq":7,"re":0,"type":"ready","body":{...}}}, written and read by
 * {@link RecordMapping} and {@link Json} without a JSON library, so that the lean master
 * loads none.
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
		StringBuilder text = new StringBuilder(256);
		text.append("{\"v\":").append(Envelope.VERSION).append(",\"seq\":").append(envelope.seq());
		text.append(",\"re\":").append(envelope.replyTo()).append(",\"type\":");
		Json.writeString(text, MessageTypes.nameOf(envelope.message()));
		RecordMapping.write(text.append(",\"body\":"), envelope.message());
		byte[] json = text.append('}').toString().getBytes(StandardCharsets.UTF_8);
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
		Object tree;
		try {
			tree = Json.parse(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(payload)).toString());
		}
		catch (CharacterCodingException | IllegalArgumentException ex) {
			throw new MalformedFrameException("not JSON: " + shorten(new String(payload, StandardCharsets.UTF_8)),
					false, 0);
		}
		if (!(tree instanceof Map<?, ?> node)) {
			throw new MalformedFrameException("not a JSON object", false, 0);
		}
		long seq = (node.get("seq") instanceof Long number) ? number : 0;
		if (!(node.get("v") instanceof Long version) || version != Envelope.VERSION) {
			throw new MalformedFrameException("unsupported version " + shorten(jsonOf(node.get("v")), 40), false, seq);
		}
		if (seq <= 0) {
			throw new MalformedFrameException("missing or bad seq", false, 0);
		}
		long replyTo = (node.get("re") instanceof Long number) ? number : 0;
		String type = (node.get("type") instanceof String name) ? name : "";
		Class<? extends Message> messageType = MessageTypes.typeOf(type);
		if (messageType == null) {
			throw new MalformedFrameException("unknown message type '" + shorten(type) + "'", false, seq, replyTo);
		}
		Object body = node.get("body");
		if (!(body instanceof Map)) {
			throw new MalformedFrameException("missing body for '" + type + "'", false, seq, replyTo);
		}
		try {
			return new Envelope(seq, replyTo, RecordMapping.read(body, messageType));
		}
		catch (RecordMapping.BadValueException ex) {
			if (ex.unknownValue() != null) {
				unknownValues.increment();
				throw new MalformedFrameException(
						"unknown value '" + shorten(ex.unknownValue(), 40) + "' in '" + type + "' at " + ex.path()
								+ " (known: " + ex.knownValues() + "); is the peer of another version?",
						false, seq, replyTo);
			}
			throw new MalformedFrameException(
					"bad body for '" + type + "' at " + ex.path() + ": " + shorten(ex.getMessage()), false, seq,
					replyTo);
		}
		catch (RuntimeException ex) {
			// a record type the mapping cannot take: a bug, but still only this frame's
			throw new MalformedFrameException("bad body for '" + type + "': " + shorten(ex.toString()), false, seq,
					replyTo);
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

	private static String jsonOf(@Nullable Object value) {
		StringBuilder json = new StringBuilder();
		RecordMapping.write(json, value);
		return json.toString();
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
