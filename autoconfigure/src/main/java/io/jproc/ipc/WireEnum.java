package io.jproc.ipc;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonValue;
import org.jspecify.annotations.Nullable;

/**
 * An enum whose constants cross the wire, and show in {@code /actuator/workers} and in
 * meter tags, by a wire name: the constant's name in lower case with dashes
 * ({@code GIVEN_UP} is {@code given-up}). The frame codec ({@link RecordMapping}) writes
 * and reads such an enum by its wire name, and Jackson (the actuator's JSON) through
 * {@link #wireName()}'s {@code @JsonValue}; a name the enum does not know is refused, and
 * {@link FrameCodec} counts the frame as malformed.
 * <p>
 * Internal: public for jproc's own packages, not API.
 */
public interface WireEnum {

	/**
	 * The constant's name, as {@link Enum#name()}.
	 * @return the name
	 */
	String name();

	/**
	 * The name on the wire and in JSON.
	 * @return the name in lower case with dashes, such as {@code given-up}
	 */
	@JsonValue
	default String wireName() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

	/**
	 * The constant with a wire name.
	 * @param <E> the enum
	 * @param type the enum's class
	 * @param wireName the wire name
	 * @return the constant, {@code null} for an unknown name
	 */
	static <E extends Enum<E> & WireEnum> @Nullable E find(Class<E> type, @Nullable String wireName) {
		for (E constant : type.getEnumConstants()) {
			if (constant.wireName().equals(wireName)) {
				return constant;
			}
		}
		return null;
	}

	/**
	 * The constant with a wire name.
	 * @param <E> the enum
	 * @param type the enum's class
	 * @param wireName the wire name
	 * @return the constant
	 * @throws IllegalArgumentException for an unknown name, naming the known ones
	 */
	static <E extends Enum<E> & WireEnum> E parse(Class<E> type, @Nullable String wireName) {
		E constant = find(type, wireName);
		if (constant == null) {
			throw new IllegalArgumentException(
					"unknown " + type.getSimpleName() + " '" + wireName + "'; expected " + wireNames(type));
		}
		return constant;
	}

	/**
	 * The wire names of an enum, for messages.
	 * @param type the enum's class
	 * @return the names, comma separated
	 */
	static String wireNames(Class<? extends WireEnum> type) {
		return Arrays.stream(type.getEnumConstants()).map(WireEnum::wireName).collect(Collectors.joining(", "));
	}

}
