package io.jproc;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import org.jspecify.annotations.Nullable;

/**
 * What the master is doing with its pool, as {@code /actuator/workers} and health show
 * it.
 */
public enum PoolState {

	/** Keeping every slot filled. */
	RUNNING,

	/** Running, but at least one slot was given up. */
	GIVING_UP,

	/** Draining every worker before it exits. */
	SHUTTING_DOWN;

	/**
	 * The name on the wire and in JSON.
	 * @return the name in lower case with dashes, such as {@code shutting-down}
	 */
	@JsonValue
	public String wireName() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

	/**
	 * The state with a wire name.
	 * @param name the wire name
	 * @return the state
	 * @throws IllegalArgumentException for an unknown name
	 */
	@JsonCreator
	public static PoolState of(@Nullable String name) {
		for (PoolState state : values()) {
			if (state.wireName().equals(name)) {
				return state;
			}
		}
		throw new IllegalArgumentException("unknown pool state '" + name + "'");
	}

}
