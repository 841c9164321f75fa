package io.jproc.ipc;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link FrameCodec}.
 */
class FrameCodecTests {

	@Test
	void roundTripKeepsSequenceReplyAndMessage() throws Exception {
		Envelope envelope = new Envelope(7, 3, new Message.Heartbeat(1, 2, 3, 4, 5, 0, -1));
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
		assertBad("{\"v\":1.0,\"seq\":4,\"re\":0,\"type\":\"stop\",\"body\":{}}", "unsupported version 1.0", 4);
		assertBad("{\"v\":{\"a\":[1.5,12345678901234567890]},\"seq\":4,\"type\":\"stop\",\"body\":{}}",
				"unsupported version {\"a\":[1.5,12345678901234567890]}", 4);
		assertBad("{\"v\":1,\"seq\":5,\"re\":0,\"type\":\"ready\",\"body\":{\"pid\":\"abc\"}}", "bad body", 5);
		assertBad("{\"v\":1,\"re\":0,\"type\":\"stop\",\"body\":{}}", "seq", 0);
	}

	@Test
	void malformedJsonOnlySpoilsItsFrame() {
		for (String json : List.of("{", "{\"v\":1,}", "{\"v\":01}", "{\"v\":1} x", "{\"a\":tru}", "\"abc",
				"{\"a\":\"\\x\"}", "{\"a\":\"\u0001\"}", "{\"a\":-}", "{\"a\":1.}", "[".repeat(100_000))) {
			assertBad(json, "not JSON", 0);
		}
		byte[] notUtf8 = { '{', '"', 'a', '"', ':', '"', (byte) 0xc3, '(', '"', '}' };
		assertThatExceptionOfType(MalformedFrameException.class).isThrownBy(() -> FrameCodec.decode(notUtf8))
			.withMessageStartingWith("not JSON")
			.satisfies((ex) -> assertThat(ex.isFatal()).isFalse());
	}

	@Test
	void fieldsFromANewerPeerAreIgnored() throws Exception {
		byte[] json = ("{\"v\":1,\"seq\":4,\"re\":0,\"trace\":\"x\",\"type\":\"ready\",\"body\":"
				+ "{\"pid\":7,\"bootMillis\":900,\"bootCacheUsed\":true,\"zone\":{\"a\":[1,2.5,null,\"\\u00e9\"]}}}")
			.getBytes(StandardCharsets.UTF_8);
		assertThat(FrameCodec.decode(json)).isEqualTo(new Envelope(4, 0, new Message.Ready(7, 900, true)));
	}

	@Test
	void missingFieldIsNullButAMissingPrimitiveSpoilsTheFrame() throws Exception {
		assertThat(FrameCodec
			.decode("{\"v\":1,\"seq\":4,\"re\":0,\"type\":\"stop\",\"body\":{}}".getBytes(StandardCharsets.UTF_8)))
			.isEqualTo(new Envelope(4, 0, new Message.Stop(null)));
		assertBad("{\"v\":1,\"seq\":5,\"re\":0,\"type\":\"ready\",\"body\":{\"pid\":7,\"bootCacheUsed\":true}}",
				"bad body for 'ready' at bootMillis: missing or null, for a long", 5);
	}

	@Test
	void valueOfTheWrongTypeNamesItsPath() {
		assertBad(
				"{\"v\":1,\"seq\":5,\"re\":0,\"type\":\"gathered\",\"body\":{\"outcomes\":[{\"worker\":1,"
						+ "\"pid\":2,\"status\":\"late\"},{\"worker\":\"two\"}]}}",
				"bad body for 'gathered' at outcomes[1].worker: expected a whole number (int), got a string", 5);
		assertBad("{\"v\":1,\"seq\":5,\"re\":0,\"type\":\"take-slot\",\"body\":{\"id\":3000000000}}",
				"at id: expected a whole number (int), got 3000000000 (out of range)", 5);
		assertBad("{\"v\":1,\"seq\":5,\"re\":0,\"type\":\"grant\",\"body\":{\"epoch\":1.5}}",
				"at epoch: expected a whole number (long), got the number 1.5", 5);
		assertBad("{\"v\":1,\"seq\":5,\"re\":0,\"type\":\"pool-status\",\"body\":{\"takenAt\":\"noon\"}}",
				"at takenAt: expected an ISO-8601 instant", 5);
		assertBad("{\"v\":1,\"seq\":5,\"re\":0,\"type\":\"members\",\"body\":{\"ids\":{}}}",
				"at ids: expected an array, got an object", 5);
	}

	@Test
	void unknownEnumValueIsAMalformedFrameThatNamesTypeFieldAndValueAndIsCounted() {
		long before = FrameCodec.unknownValueFrames();
		assertBad("{\"v\":1,\"seq\":6,\"re\":0,\"type\":\"command\",\"body\":{\"action\":\"launch-missiles\"}}",
				"unknown value 'launch-missiles' in 'command' at action (known: reload, scale, restart)", 6);
		assertThat(FrameCodec.unknownValueFrames()).isEqualTo(before + 1);
		assertThat(IpcChannel.unknownValueFrames()).isEqualTo(before + 1);
	}

	@Test
	void unknownEnumValueDeepInAReplyNamesItsPathAndTheRequest() {
		long before = FrameCodec.unknownValueFrames();
		byte[] json = ("{\"v\":1,\"seq\":8,\"re\":3,\"type\":\"gathered\",\"body\":{\"outcomes\":["
				+ "{\"worker\":1,\"pid\":7,\"status\":\"answered\"},{\"worker\":2,\"pid\":8,\"status\":\""
				+ "x".repeat(500) + "\"}]}}")
			.getBytes(StandardCharsets.UTF_8);
		assertThatExceptionOfType(MalformedFrameException.class).isThrownBy(() -> FrameCodec.decode(json))
			.satisfies((ex) -> {
				assertThat(ex.isFatal()).isFalse();
				assertThat(ex.replyTo()).isEqualTo(3);
				assertThat(ex.getMessage())
					.startsWith("unknown value '" + "x".repeat(40) + "...' in 'gathered' at outcomes[1].status")
					.hasSizeLessThan(200);
			});
		assertThat(FrameCodec.unknownValueFrames()).isEqualTo(before + 1);
	}

	@Test
	void enumValueOfAnotherEnumOrAsANumberIsRefused() {
		long before = FrameCodec.unknownValueFrames();
		assertBad(
				"{\"v\":1,\"seq\":2,\"re\":0,\"type\":\"log-level-change\",\"body\":{\"name\":\"a\",\"level\":\"debug\"}}",
				"unknown value 'debug' in 'log-level-change' at level (known: TRACE, DEBUG", 2);
		assertBad("{\"v\":1,\"seq\":3,\"re\":0,\"type\":\"command\",\"body\":{\"action\":0}}", "action", 3);
		assertThat(FrameCodec.unknownValueFrames()).isGreaterThanOrEqualTo(before + 1);
	}

	@Test
	void frameOverTheLimitIsNotEncoded() {
		String huge = "x".repeat(FrameCodec.MAX_FRAME_BYTES);
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> FrameCodec.encode(new Envelope(1, 0, new Message.Failure(huge))))
			.withMessageContaining("over the limit");
	}

	@Test
	void frameThatClaimsTheLargestLengthAndEndsEarlyAllocatesOnlyWhatCame() throws Exception {
		byte[] bytes = ByteBuffer.allocate(4 + 100).putInt(FrameCodec.MAX_FRAME_BYTES).array();
		com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory
			.getThreadMXBean();
		long before = threads.getCurrentThreadAllocatedBytes();
		assertFatal(bytes, "truncated frame: expected " + FrameCodec.MAX_FRAME_BYTES + " bytes");
		long allocated = threads.getCurrentThreadAllocatedBytes() - before;
		assertThat(allocated).as("bytes allocated for a frame of 100 bytes that claimed %d", FrameCodec.MAX_FRAME_BYTES)
			.isLessThan(FrameCodec.MAX_FRAME_BYTES / 4);
	}

	@Test
	void unsupportedVersionIsShortenedInTheMessage() {
		String json = "{\"v\":\"" + "9".repeat(10_000) + "\",\"seq\":3,\"re\":0,\"type\":\"stop\",\"body\":{}}";
		assertThatExceptionOfType(MalformedFrameException.class)
			.isThrownBy(() -> FrameCodec.decode(json.getBytes(StandardCharsets.UTF_8)))
			.satisfies((ex) -> assertThat(ex.getMessage()).startsWith("unsupported version").hasSizeLessThan(100));
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
