package io.jproc.master.lean;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.jproc.JprocProperties;
import io.jproc.WorkerCount;
import org.jspecify.annotations.Nullable;

import org.springframework.util.unit.DataSize;

/**
 * {@link JprocProperties} as the application's environment bound them, flattened to
 * strings and back, so that the lean master runs with exactly the values the
 * application's JVM resolved (yml, profiles, environment variables, arguments) without
 * Spring's binder.
 * <p>
 * Walks the JavaBean properties: a getter with a setter is a value, a getter without a
 * setter whose type is a nested class of {@code JprocProperties} is a group (walked with
 * its name as a prefix). Keys are the Java property names ({@code worker.bootTimeout}); a
 * list is {@code key.size} and {@code key.0...}, a map {@code key.size}, {@code key.k0},
 * {@code key.v0...}; {@code null} is the key {@code key.null}. A value of a type this
 * codec does not know is refused when encoding ({@link IllegalArgumentException}), so
 * that a new property of a new type fails {@code PropertiesCodecTests}, not a master.
 */
public final class PropertiesCodec {

	private PropertiesCodec() {
	}

	/**
	 * Flatten the properties.
	 * @param properties bound properties
	 * @return key to value, sorted by key
	 * @throws IllegalArgumentException if a value has a type the codec does not know
	 */
	public static Map<String, String> encode(JprocProperties properties) {
		Map<String, String> out = new TreeMap<>();
		encodeGroup(properties, "", out);
		return out;
	}

	/**
	 * Rebuild the properties.
	 * @param encoded what {@link #encode} gave
	 * @return properties with those values (defaults where a key is missing)
	 * @throws IllegalArgumentException if a value cannot be read back
	 */
	public static JprocProperties decode(Map<String, String> encoded) {
		JprocProperties properties = new JprocProperties();
		decodeGroup(properties, "", encoded);
		return properties;
	}

	private static void encodeGroup(Object group, String prefix, Map<String, String> out) {
		for (Method getter : getters(group.getClass())) {
			String key = prefix + propertyName(getter);
			Object value = invoke(getter, group);
			Method setter = setter(group.getClass(), getter);
			if (setter != null) {
				encodeValue(key, getter.getGenericReturnType(), value, out);
			}
			else if (value != null && isGroup(getter.getReturnType())) {
				encodeGroup(value, key + ".", out);
			}
		}
	}

	private static void decodeGroup(Object group, String prefix, Map<String, String> encoded) {
		for (Method getter : getters(group.getClass())) {
			String key = prefix + propertyName(getter);
			Method setter = setter(group.getClass(), getter);
			if (setter != null) {
				if (encoded.containsKey(key) || encoded.containsKey(key + ".null")
						|| encoded.containsKey(key + ".size")) {
					invoke(setter, group, decodeValue(key, getter.getGenericReturnType(), encoded));
				}
			}
			else if (isGroup(getter.getReturnType())) {
				Object nested = invoke(getter, group);
				if (nested != null) {
					decodeGroup(nested, key + ".", encoded);
				}
			}
		}
	}

	private static void encodeValue(String key, Type type, @Nullable Object value, Map<String, String> out) {
		if (value == null) {
			out.put(key + ".null", "");
		}
		else if (value instanceof List<?> list) {
			requireStrings(key, type, 0);
			out.put(key + ".size", Integer.toString(list.size()));
			for (int i = 0; i < list.size(); i++) {
				out.put(key + "." + i, String.valueOf(list.get(i)));
			}
		}
		else if (value instanceof Map<?, ?> map) {
			requireStrings(key, type, 0);
			requireStrings(key, type, 1);
			out.put(key + ".size", Integer.toString(map.size()));
			int i = 0;
			for (Map.Entry<?, ?> entry : map.entrySet()) {
				out.put(key + ".k" + i, String.valueOf(entry.getKey()));
				out.put(key + ".v" + i, String.valueOf(entry.getValue()));
				i++;
			}
		}
		else {
			out.put(key, scalar(key, value));
		}
	}

	private static @Nullable Object decodeValue(String key, Type type, Map<String, String> encoded) {
		if (encoded.containsKey(key + ".null")) {
			return null;
		}
		Class<?> raw = raw(type);
		if (List.class.isAssignableFrom(raw)) {
			int size = Integer.parseInt(required(encoded, key + ".size"));
			List<String> list = new ArrayList<>(size);
			for (int i = 0; i < size; i++) {
				list.add(required(encoded, key + "." + i));
			}
			return list;
		}
		if (Map.class.isAssignableFrom(raw)) {
			int size = Integer.parseInt(required(encoded, key + ".size"));
			Map<String, String> map = new LinkedHashMap<>();
			for (int i = 0; i < size; i++) {
				map.put(required(encoded, key + ".k" + i), required(encoded, key + ".v" + i));
			}
			return map;
		}
		return parse(key, raw, required(encoded, key));
	}

	private static String scalar(String key, Object value) {
		if (value instanceof String || value instanceof Integer || value instanceof Long || value instanceof Boolean
				|| value instanceof Duration || value instanceof Path) {
			return value.toString();
		}
		if (value instanceof DataSize size) {
			return Long.toString(size.toBytes());
		}
		if (value instanceof WorkerCount count) {
			// The count "auto" gave here, not "auto": the lean JVM may see other
			// processors.
			return count.value() + (count.auto() ? ",auto" : "");
		}
		if (value instanceof Enum<?> constant) {
			return constant.name();
		}
		throw new IllegalArgumentException("jproc: the lean master's hand-off cannot encode " + key + " of type "
				+ value.getClass().getName() + "; teach io.jproc.master.lean.PropertiesCodec its type");
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static Object parse(String key, Class<?> type, String text) {
		if (type == String.class) {
			return text;
		}
		if (type == int.class || type == Integer.class) {
			return Integer.valueOf(text);
		}
		if (type == long.class || type == Long.class) {
			return Long.valueOf(text);
		}
		if (type == boolean.class || type == Boolean.class) {
			return Boolean.valueOf(text);
		}
		if (type == Duration.class) {
			return Duration.parse(text);
		}
		if (type == Path.class) {
			return Path.of(text);
		}
		if (type == DataSize.class) {
			return DataSize.ofBytes(Long.parseLong(text));
		}
		if (type == WorkerCount.class) {
			boolean auto = text.endsWith(",auto");
			return new WorkerCount(Integer.parseInt(auto ? text.substring(0, text.length() - 5) : text), auto);
		}
		if (type.isEnum()) {
			return Enum.valueOf((Class<Enum>) type, text);
		}
		throw new IllegalArgumentException(
				"jproc: the lean master's hand-off cannot decode " + key + " of type " + type.getName());
	}

	private static void requireStrings(String key, Type type, int argument) {
		if (type instanceof ParameterizedType parameterized
				&& parameterized.getActualTypeArguments()[argument] == String.class) {
			return;
		}
		throw new IllegalArgumentException("jproc: the lean master's hand-off cannot encode " + key + " of type "
				+ type.getTypeName() + "; teach io.jproc.master.lean.PropertiesCodec its type");
	}

	private static String required(Map<String, String> encoded, String key) {
		String value = encoded.get(key);
		if (value == null) {
			throw new IllegalArgumentException("jproc: the lean master's hand-off has no " + key);
		}
		return value;
	}

	private static Class<?> raw(Type type) {
		return (type instanceof ParameterizedType parameterized) ? (Class<?>) parameterized.getRawType()
				: (Class<?>) type;
	}

	private static boolean isGroup(Class<?> type) {
		return type.getEnclosingClass() == JprocProperties.class;
	}

	private static List<Method> getters(Class<?> type) {
		return Arrays.stream(type.getMethods())
			.filter((method) -> method.getParameterCount() == 0 && !Modifier.isStatic(method.getModifiers())
					&& method.getDeclaringClass() != Object.class && isGetterName(method))
			.sorted(Comparator.comparing(Method::getName))
			.toList();
	}

	private static boolean isGetterName(Method method) {
		String name = method.getName();
		if (name.startsWith("get") && name.length() > 3) {
			return !name.equals("getClass");
		}
		return name.startsWith("is") && name.length() > 2
				&& (method.getReturnType() == boolean.class || method.getReturnType() == Boolean.class);
	}

	private static String propertyName(Method getter) {
		String name = getter.getName();
		String bare = name.startsWith("is") ? name.substring(2) : name.substring(3);
		return Character.toLowerCase(bare.charAt(0)) + bare.substring(1);
	}

	private static @Nullable Method setter(Class<?> type, Method getter) {
		String name = getter.getName();
		String setterName = "set" + (name.startsWith("is") ? name.substring(2) : name.substring(3));
		for (Method method : type.getMethods()) {
			if (method.getName().equals(setterName) && method.getParameterCount() == 1
					&& method.getParameterTypes()[0] == getter.getReturnType()) {
				return method;
			}
		}
		return null;
	}

	private static @Nullable Object invoke(Method method, Object target, @Nullable Object... arguments) {
		try {
			return method.invoke(target, arguments);
		}
		catch (IllegalAccessException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InvocationTargetException ex) {
			Throwable cause = ex.getCause();
			if (cause instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw new IllegalStateException(cause);
		}
	}

}
