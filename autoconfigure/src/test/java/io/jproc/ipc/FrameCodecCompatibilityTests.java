package io.jproc.ipc;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The frame codec writes and reads what Jackson's databind did before it, so a master and
 * workers of builds on either side of the change understand each other.
 */
class FrameCodecCompatibilityTests {

	/** The mapper and envelope of the codec before it dropped databind. */
	private static final JsonMapper DATABIND = JsonMapper.builder()
		.enable(EnumFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
		.build();

	static List<Message> messages() {
		return SampleMessages.all();
	}

	@Test
	void everyMessageTypeHasASample() {
		assertThat(messages().stream().map(Object::getClass).distinct())
			.containsExactlyInAnyOrder(Message.class.getPermittedSubclasses());
	}

	@ParameterizedTest
	@MethodSource("messages")
	void writesTheJsonDatabindWrote(Message message) throws Exception {
		Envelope envelope = new Envelope(12, 5, message);
		JsonNode written = DATABIND.readTree(payload(FrameCodec.encode(envelope)));
		// both parsed from text: valueToTree holds a long as a LongNode, readTree a small
		// one as an IntNode, and the two are not equal
		JsonNode databind = DATABIND.readTree(DATABIND.writeValueAsBytes(databindEnvelope(envelope)));
		assertThat(written).isEqualTo(databind);
	}

	@ParameterizedTest
	@MethodSource("messages")
	void readsBackAnEqualMessage(Message message) throws Exception {
		Envelope envelope = new Envelope(12, 5, message);
		assertThat(FrameCodec.decode(payload(FrameCodec.encode(envelope)))).isEqualTo(envelope);
	}

	@ParameterizedTest
	@MethodSource("messages")
	void readsWhatDatabindWroteAndDatabindReadsWhatItWrites(Message message) throws Exception {
		Envelope envelope = new Envelope(12, 5, message);
		byte[] old = DATABIND.writeValueAsBytes(databindEnvelope(envelope));
		assertThat(FrameCodec.decode(old)).isEqualTo(envelope);
		JsonNode body = DATABIND.readTree(payload(FrameCodec.encode(envelope))).get("body");
		assertThat(DATABIND.treeToValue(body, message.getClass())).isEqualTo(message);
	}

	@Test
	void escapesAsJsonDoes() throws Exception {
		String text = "\"\\/\b\f\n\r\t\u0000\u001f\u007f caf\u00e9 \ud83d\ude00";
		byte[] frame = FrameCodec.encode(new Envelope(1, 0, new Message.Failure(text)));
		assertThat(DATABIND.readTree(payload(frame)).get("body").get("message").asString()).isEqualTo(text);
		byte[] old = DATABIND.writeValueAsBytes(databindEnvelope(new Envelope(1, 0, new Message.Failure(text))));
		assertThat(FrameCodec.decode(old).message()).isEqualTo(new Message.Failure(text));
	}

	private static ObjectNode databindEnvelope(Envelope envelope) {
		ObjectNode node = DATABIND.createObjectNode();
		node.put("v", Envelope.VERSION);
		node.put("seq", envelope.seq());
		node.put("re", envelope.replyTo());
		node.put("type", MessageTypes.nameOf(envelope.message()));
		node.set("body", DATABIND.valueToTree(envelope.message()));
		return node;
	}

	private static byte[] payload(byte[] frame) {
		assertThat(new String(frame, 4, frame.length - 4, StandardCharsets.UTF_8)).doesNotContain("\n");
		return Arrays.copyOfRange(frame, 4, frame.length);
	}

}
