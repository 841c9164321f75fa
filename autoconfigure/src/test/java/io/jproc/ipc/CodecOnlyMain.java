package io.jproc.ipc;

import java.nio.charset.StandardCharsets;

/**
 * Encodes and decodes every sample message, and a frame with an unknown value, in a JVM
 * of its own: {@link FrameCodecClassLoadingTests} runs it with {@code -Xlog:class+load}.
 */
public final class CodecOnlyMain {

	private CodecOnlyMain() {
	}

	/**
	 * Run the codec.
	 * @param args none
	 * @throws Exception on a failure
	 */
	public static void main(String[] args) throws Exception {
		long seq = 1;
		for (Message message : SampleMessages.all()) {
			byte[] frame = FrameCodec.encode(new Envelope(seq++, 0, message));
			if (!FrameCodec.read(new java.io.ByteArrayInputStream(frame)).message().equals(message)) {
				throw new IllegalStateException("round trip changed " + message);
			}
		}
		try {
			FrameCodec.decode("{\"v\":1,\"seq\":6,\"re\":0,\"type\":\"command\",\"body\":{\"action\":\"x\"}}"
				.getBytes(StandardCharsets.UTF_8));
			throw new IllegalStateException("an unknown value was accepted");
		}
		catch (MalformedFrameException expected) {
			System.out.println("refused: " + expected.getMessage());
		}
	}

}
