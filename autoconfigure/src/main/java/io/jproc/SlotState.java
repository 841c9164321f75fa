package io.jproc;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import org.jspecify.annotations.Nullable;

/**
 * What a worker slot is doing, as {@code /actuator/workers}, health and metrics show it:
 * its worker's state, or for a slot without a worker why it has none.
 */
public enum SlotState {

	/** Its worker is booting. */
	STARTING,

	/** Its worker accepts and serves. */
	READY,

	/** Its worker serves until its replacement is ready (planned retirement). */
	RETIRING,

	/** Its worker no longer accepts and finishes its requests. */
	DRAINING,

	/** No worker, none waiting: the next one starts at once. */
	EXITED,

	/** No worker: the next one starts after a backoff. */
	BACKOFF,

	/** No worker, and none will start: the slot failed too often. */
	GIVEN_UP;

	/**
	 * The name on the wire and in JSON.
	 * @return the name in lower case with dashes, such as {@code given-up}
	 */
	@JsonValue
	public String wireName() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

	/**
	 * Whether a slot in this state has a worker taking traffic.
	 * @return {@code true} for {@link #READY} and {@link #RETIRING}
	 */
	public boolean isServing() {
		return this == READY || this == RETIRING;
	}

	/**
	 * The state with a wire name.
	 * @param name the wire name
	 * @return the state
	 * @throws IllegalArgumentException for an unknown name
	 */
	@JsonCreator
	public static SlotState of(@Nullable String name) {
		for (SlotState state : values()) {
			if (state.wireName().equals(name)) {
				return state;
			}
		}
		throw new IllegalArgumentException("unknown slot state '" + name + "'");
	}

}
