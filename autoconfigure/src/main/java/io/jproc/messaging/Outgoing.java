package io.jproc.messaging;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.unit.DataSize;

/**
 * Checks and maps what a sender hands to {@link JprocMessenger}, at the sender, so that
 * bad input fails where it was written.
 */
final class Outgoing {

	private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,200}");

	/** Reserved for jproc's own topics. */
	static final String RESERVED_PREFIX = "jproc.";

	/** The topic of relayed {@link CrossWorker} events. */
	static final String EVENT_TOPIC = RESERVED_PREFIX + "event";

	private final JsonMapper json;

	private final long maxPayload;

	Outgoing(JsonMapper json, DataSize maxPayload) {
		this.json = json;
		this.maxPayload = maxPayload.toBytes();
	}

	/**
	 * Check a topic.
	 * @param topic the topic
	 * @return the topic
	 */
	static String topic(String topic) {
		if (topic == null || !TOPIC.matcher(topic).matches()) {
			throw new IllegalArgumentException(
					"bad topic '" + topic + "': use 1 to 200 letters, digits, '.', '_' or '-'");
		}
		if (topic.startsWith(RESERVED_PREFIX)) {
			throw new IllegalArgumentException(
					"topic '" + topic + "' is reserved: topics under '" + RESERVED_PREFIX + "' are jproc's own");
		}
		return topic;
	}

	/**
	 * Map a payload to JSON and check its size.
	 * @param payload the payload
	 * @return the JSON text
	 */
	String payload(Object payload) {
		if (payload == null) {
			throw new IllegalArgumentException("payload must not be null");
		}
		String text = this.json.writeValueAsString(payload);
		int size = text.getBytes(StandardCharsets.UTF_8).length;
		if (size > this.maxPayload) {
			throw new IllegalArgumentException("payload of " + size + " bytes is over jproc.messaging.max-payload ("
					+ this.maxPayload + " bytes)");
		}
		return text;
	}

	JsonMapper json() {
		return this.json;
	}

}
