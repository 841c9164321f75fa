package io.jproc.messaging;

import org.jspecify.annotations.Nullable;

/**
 * A message received for this process's listeners.
 *
 * @param topic its topic
 * @param payload its JSON payload
 * @param from the sending worker's id
 * @param eventType for a {@link CrossWorker} event, its class name
 * @param replier where the answer goes, {@code null} when no answer is expected
 */
record Inbound(String topic, String payload, int from, @Nullable String eventType, @Nullable Replier replier) {

	/**
	 * Takes the answer to an ask.
	 */
	interface Replier {

		/**
		 * The listener answered.
		 * @param json the answer as JSON text
		 */
		void answer(String json);

		/**
		 * There is no answer.
		 * @param why what went wrong
		 */
		void fail(String why);

	}

}
