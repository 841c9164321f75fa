package io.jproc.ipc;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The table between wire names and {@link Message} records, built from the sealed
 * interface's {@code permits} list: naming a record there is its codec entry.
 */
final class MessageTypes {

	private static final Map<String, Class<? extends Message>> BY_NAME;

	private static final Map<Class<?>, String> BY_CLASS;

	static {
		Map<String, Class<? extends Message>> byName = new LinkedHashMap<>();
		Map<Class<?>, String> byClass = new LinkedHashMap<>();
		for (Class<?> type : Message.class.getPermittedSubclasses()) {
			String name = wireName(type.getSimpleName());
			if (byName.put(name, type.asSubclass(Message.class)) != null) {
				throw new IllegalStateException("two message types are named '" + name + "' on the wire");
			}
			byClass.put(type, name);
		}
		BY_NAME = Collections.unmodifiableMap(byName);
		BY_CLASS = Collections.unmodifiableMap(byClass);
	}

	private MessageTypes() {
	}

	static String nameOf(Message message) {
		return BY_CLASS.get(message.getClass());
	}

	static @Nullable Class<? extends Message> typeOf(String name) {
		return BY_NAME.get(name);
	}

	static String wireName(String simpleName) {
		return simpleName.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
	}

}
