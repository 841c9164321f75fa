package io.jproc.ipc;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link FrameCodec}.
 */
class FrameCodecTests {

	@Test
	void roundTripKeepsSequenceReplyAndMessage() throws Exception {
		Envelope envelope = new Envelope(7, 3, new Message.Heartbeat(1, 2, 3, 4, 5));
		assertThat(FrameCodec.read(new ByteArrayInputStream(FrameCodec.encode(envelope)))).isEqualTo(envelope);
	}

	@Test
	void wireNameIsKebabCaseOfTheRecord() {
		assertThat(MessageTypes.wireName("ReplacementReady")).isEqualTo("replacement-ready");
		String json = new String(FrameCodec.encode(new Envelope(1, 0, new Message.Stop("x"))), StandardCharsets.UTF_8);
		assertThat(json).contains("\"type\":\"stop\"").contains("\"v\":1");
	}

	@Test
	void endOfStreamBeforeAFrameIsNoFrame() throws Exception {
		assertThat(FrameCodec.read(new ByteArrayInputStream(new byte[0]))).isNull();
	}

	@Test
	void truncatedLengthPrefixIsFatal() {
		assertFatal(new byte[] { 0, 0 }, "truncated length prefix");
	}

	@Test
	void truncatedFrameIsFatal() {
		byte[] frame = FrameCodec.encode(new Envelope(1, 0, new Message.Stop("shutdown")));
		assertFatal(Arrays.copyOf(frame, frame.length - 3), "truncated frame");
	}

	@Test
	void zeroAndOversizeLengthsAreFatal() {
		assertFatal(ByteBuffer.allocate(4).putInt(0).array(), "outside");
		assertFatal(ByteBuffer.allocate(4).putInt(FrameCodec.MAX_FRAME_BYTES + 1).array(), "outside");
		assertFatal(ByteBuffer.allocate(4).putInt(-5).array(), "outside");
	}

	@Test
	void garbageUnknownTypeAndWrongVersionOnlySpoilTheirFrame() {
		assertBad("\u0000\u00ff garbage", "not JSON", 0);
		assertBad("[1,2]", "not a JSON object", 0);
		assertBad("{\"v\":1,\"seq\":9,\"re\":0,\"type\":\"launch-missiles\",\"body\":{}}", "unknown message type", 9);
		assertBad("{\"v\":2,\"seq\":4,\"re\":0,\"type\":\"stop\",\"body\":{}}", "unsupported version", 4);
		assertBad("{\"v\":1,\"seq\":5,\"re\":0,\"type\":\"ready\",\"body\":{\"pid\":\"abc\"}}", "bad body", 5);
		assertBad("{\"v\":1,\"re\":0,\"type\":\"stop\",\"body\":{}}", "seq", 0);
	}

	@Test
	void frameOverTheLimitIsNotEncoded() {
		String huge = "x".repeat(FrameCodec.MAX_FRAME_BYTES);
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> FrameCodec.encode(new Envelope(1, 0, new Message.Failure(huge))))
			.withMessageContaining("over the limit");
	}

	private static void assertFatal(byte[] bytes, String message) {
		assertThatExceptionOfType(MalformedFrameException.class)
			.isThrownBy(() -> FrameCodec.read(new ByteArrayInputStream(bytes)))
			.withMessageContaining(message)
			.satisfies((ex) -> assertThat(ex.isFatal()).isTrue());
	}

	private static void assertBad(String json, String message, long seq) {
		byte[] payload = json.getBytes(StandardCharsets.UTF_8);
		byte[] frame = ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array();
		assertThatExceptionOfType(MalformedFrameException.class)
			.isThrownBy(() -> FrameCodec.read(new ByteArrayInputStream(frame)))
			.withMessageContaining(message)
			.satisfies((ex) -> {
				assertThat(ex.isFatal()).isFalse();
				assertThat(ex.seq()).isEqualTo(seq);
			});
	}

}
