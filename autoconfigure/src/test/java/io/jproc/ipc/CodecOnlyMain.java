package io.jproc.ipc;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Encodes and decodes every sample message, and a frame with an unknown value, in a JVM
 * of its own: {@link FrameCodecClassLoadingTests} runs it with {@code -Xlog:class+load}.
 */
public final class CodecOnlyMain {

	private CodecOnlyMain() {
	}

	/**
	 * Run the codec.
	 * @param args how many times to encode and decode every sample, {@code 1} if none
	 * @throws Exception on a failure
	 */
	public static void main(String[] args) throws Exception {
		long seq = 1;
		int rounds = (args.length > 0) ? Integer.parseInt(args[0]) : 1;
		for (int round = 0; round < rounds; round++) {
			roundTrip(seq);
			seq += 1000;
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

	private static void roundTrip(long first) throws Exception {
		long seq = first;
		for (Message message : SampleMessages.all()) {
			// compared as bytes: a record's equals spins method handles of its own
			byte[] frame = FrameCodec.encode(new Envelope(seq++, 0, message));
			Envelope read = FrameCodec.read(new ByteArrayInputStream(frame));
			if (!Arrays.equals(FrameCodec.encode(read), frame)) {
				throw new IllegalStateException("round trip changed " + message.getClass());
			}
		}
	}

}
