package io.jproc.ipc;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigInteger;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

/**
 * Records to JSON and back, driven by {@link Class#getRecordComponents()} and the
 * canonical constructor, with the wire format Jackson's databind gave them: a field per
 * component in declaration order (then a value a public {@code isX()} or {@code getX()}
 * derives), nulls written, a {@link WireEnum} by its wire name and any other enum by its
 * constant's name, an {@link Instant} as ISO-8601 text, lists as arrays and maps as
 * objects. Reading ignores fields it does not know, gives a missing field {@code null}
 * and refuses a value of the wrong JSON type. A missing or null primitive is refused, as
 * databind 3 did; so is a string for a number and the like, which databind coerced but no
 * peer sends.
 * <p>
 * Only these types are known; a record with another type fails on its first encoding,
 * which {@code FrameCodecCompatibilityTests} does for every message type.
 */
final class RecordMapping {

	private static final ClassValue<Shape> SHAPES = new ClassValue<>() {

		@Override
		protected Shape computeValue(Class<?> type) {
			return new Shape(type);
		}

	};

	private RecordMapping() {
	}

	/**
	 * Append a value as JSON.
	 * @param out where to append
	 * @param value a record, or a value a record's component may hold
	 * @throws IllegalArgumentException for a type the mapping does not know
	 */
	static void write(StringBuilder out, @Nullable Object value) {
		if (value == null) {
			out.append("null");
		}
		else if (value instanceof String string) {
			Json.writeString(out, string);
		}
		else if (value instanceof Number || value instanceof Boolean) {
			out.append(value);
		}
		else if (value instanceof WireEnum wire) {
			Json.writeString(out, wire.wireName());
		}
		else if (value instanceof Enum<?> constant) {
			Json.writeString(out, constant.name());
		}
		else if (value instanceof Instant instant) {
			Json.writeString(out, instant.toString());
		}
		else if (value instanceof Record) {
			writeRecord(out, value);
		}
		else if (value instanceof Collection<?> collection) {
			out.append('[');
			String separator = "";
			for (Object element : collection) {
				write(out.append(separator), element);
				separator = ",";
			}
			out.append(']');
		}
		else if (value instanceof Map<?, ?> map) {
			out.append('{');
			String separator = "";
			for (Map.Entry<?, ?> entry : map.entrySet()) {
				Json.writeString(out.append(separator), String.valueOf(entry.getKey()));
				write(out.append(':'), entry.getValue());
				separator = ",";
			}
			out.append('}');
		}
		else {
			throw new IllegalArgumentException("no JSON mapping for " + value.getClass().getName());
		}
	}

	private static void writeRecord(StringBuilder out, Object record) {
		Shape shape = SHAPES.get(record.getClass());
		out.append('{');
		for (int i = 0; i < shape.accessors.length; i++) {
			String name = (i < shape.names.length) ? shape.names[i] : shape.derivedNames[i - shape.names.length];
			Json.writeString(out.append((i > 0) ? "," : ""), name);
			out.append(':');
			try {
				write(out, shape.accessors[i].invoke(record));
			}
			catch (IllegalAccessException | InvocationTargetException ex) {
				throw new IllegalStateException("cannot read " + name + " of " + record.getClass(), ex);
			}
		}
		out.append('}');
	}

	/**
	 * Make a record from a parsed JSON object.
	 * @param <T> the record type
	 * @param tree the object, as {@link Json#parse} gives it
	 * @param type the record's class
	 * @return the record
	 * @throws BadValueException if the tree does not fit
	 */
	static <T> T read(@Nullable Object tree, Class<T> type) {
		return type.cast(readType(tree, type));
	}

	private static @Nullable Object readType(@Nullable Object tree, Type type) {
		if (type instanceof ParameterizedType parameterized) {
			Type[] arguments = parameterized.getActualTypeArguments();
			if (parameterized.getRawType() == List.class) {
				return readList(tree, arguments[0]);
			}
			if (parameterized.getRawType() == Map.class && arguments[0] == String.class) {
				return readMap(tree, arguments[1]);
			}
		}
		else if (type instanceof Class<?> raw) {
			return readClass(tree, raw);
		}
		throw new IllegalArgumentException("no JSON mapping for " + type.getTypeName());
	}

	private static @Nullable Object readClass(@Nullable Object tree, Class<?> type) {
		if (tree == null) {
			if (type.isPrimitive()) {
				// as databind 3 (FAIL_ON_NULL_FOR_PRIMITIVES): a new field of a primitive
				// type would make the frames of an older peer malformed
				throw new BadValueException("missing or null, for a " + type.getName());
			}
			return null;
		}
		if (type == String.class) {
			return expect(tree, String.class, "a string");
		}
		if (type == long.class || type == Long.class) {
			if (tree instanceof Long) {
				return tree;
			}
			throw outOfRangeOrWrongType(tree, "a whole number (long)");
		}
		if (type == int.class || type == Integer.class) {
			if (tree instanceof Long number && number == number.intValue()) {
				return number.intValue();
			}
			throw outOfRangeOrWrongType(tree, "a whole number (int)");
		}
		if (type == boolean.class || type == Boolean.class) {
			return expect(tree, Boolean.class, "true or false");
		}
		if (type == Instant.class) {
			try {
				return Instant.parse(expect(tree, String.class, "an ISO-8601 instant"));
			}
			catch (DateTimeParseException ex) {
				throw new BadValueException("expected an ISO-8601 instant, got " + describe(tree));
			}
		}
		if (type.isEnum()) {
			return readEnum(tree, type);
		}
		if (type.isRecord()) {
			return readRecord(expect(tree, Map.class, "an object"), type);
		}
		throw new IllegalArgumentException("no JSON mapping for " + type.getName());
	}

	private static Object readRecord(Map<?, ?> object, Class<?> type) {
		Shape shape = SHAPES.get(type);
		Object[] arguments = new Object[shape.names.length];
		for (int i = 0; i < arguments.length; i++) {
			try {
				arguments[i] = readType(object.get(shape.names[i]), shape.types[i]);
			}
			catch (BadValueException ex) {
				throw ex.at(shape.names[i]);
			}
		}
		try {
			return shape.constructor.newInstance(arguments);
		}
		catch (InvocationTargetException ex) {
			throw new BadValueException("refused by " + type.getSimpleName() + ": " + ex.getCause());
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException("cannot construct " + type, ex);
		}
	}

	private static @Nullable List<@Nullable Object> readList(@Nullable Object tree, Type elementType) {
		if (tree == null) {
			return null;
		}
		List<?> array = expect(tree, List.class, "an array");
		List<@Nullable Object> list = new ArrayList<>(array.size());
		for (int i = 0; i < array.size(); i++) {
			try {
				list.add(readType(array.get(i), elementType));
			}
			catch (BadValueException ex) {
				throw ex.at(i);
			}
		}
		return list;
	}

	private static @Nullable Map<String, @Nullable Object> readMap(@Nullable Object tree, Type valueType) {
		if (tree == null) {
			return null;
		}
		Map<?, ?> object = expect(tree, Map.class, "an object");
		Map<String, @Nullable Object> map = new LinkedHashMap<>();
		for (Map.Entry<?, ?> entry : object.entrySet()) {
			try {
				map.put((String) entry.getKey(), readType(entry.getValue(), valueType));
			}
			catch (BadValueException ex) {
				throw ex.at((String) entry.getKey());
			}
		}
		return map;
	}

	private static Object readEnum(Object tree, Class<?> type) {
		Object[] constants = type.getEnumConstants();
		if (tree instanceof String name) {
			for (Object constant : constants) {
				if (nameOf(constant).equals(name)) {
					return constant;
				}
			}
		}
		else if (!(tree instanceof Number)) {
			throw new BadValueException("expected a string, got " + describe(tree));
		}
		// A number is refused as an unknown value, as databind did with
		// FAIL_ON_NUMBERS_FOR_ENUMS: a peer never sends an ordinal.
		StringBuilder known = new StringBuilder();
		for (Object constant : constants) {
			known.append(known.isEmpty() ? "" : ", ").append(nameOf(constant));
		}
		throw new BadValueException(String.valueOf(tree), known.toString());
	}

	private static String nameOf(Object constant) {
		return (constant instanceof WireEnum wire) ? wire.wireName() : ((Enum<?>) constant).name();
	}

	private static <T> T expect(Object tree, Class<T> type, String what) {
		if (type.isInstance(tree)) {
			return type.cast(tree);
		}
		throw new BadValueException("expected " + what + ", got " + describe(tree));
	}

	private static BadValueException outOfRangeOrWrongType(Object tree, String what) {
		return new BadValueException("expected " + what + ", got "
				+ ((tree instanceof Long || tree instanceof BigInteger) ? tree + " (out of range)" : describe(tree)));
	}

	private static String describe(Object tree) {
		if (tree instanceof Map) {
			return "an object";
		}
		if (tree instanceof List) {
			return "an array";
		}
		if (tree instanceof String) {
			return "a string";
		}
		if (tree instanceof Boolean) {
			return "a boolean";
		}
		return "the number " + tree;
	}

	/**
	 * What reading needs of one record type, found once.
	 */
	private static final class Shape {

		/** The components' names. */
		final String[] names;

		/**
		 * Names of the values a public {@code isX()} or {@code getX()} derives, such as
		 * {@code Slot}'s {@code serving}: databind wrote them too, and nobody reads them.
		 */
		final String[] derivedNames;

		/** The components' accessors, then the derived values' methods. */
		final Method[] accessors;

		final Type[] types;

		final Constructor<?> constructor;

		Shape(Class<?> type) {
			RecordComponent[] components = type.getRecordComponents();
			if (components == null) {
				throw new IllegalArgumentException(type.getName() + " is not a record");
			}
			List<Method> derived = derivedValues(type);
			this.names = new String[components.length];
			this.derivedNames = new String[derived.size()];
			this.accessors = new Method[components.length + derived.size()];
			this.types = new Type[components.length];
			Class<?>[] parameters = new Class<?>[components.length];
			for (int i = 0; i < components.length; i++) {
				this.names[i] = components[i].getName();
				this.accessors[i] = components[i].getAccessor();
				this.types[i] = components[i].getGenericType();
				parameters[i] = components[i].getType();
			}
			for (int i = 0; i < derived.size(); i++) {
				String name = derived.get(i).getName().substring(derived.get(i).getName().startsWith("is") ? 2 : 3);
				this.derivedNames[i] = Character.toLowerCase(name.charAt(0)) + name.substring(1);
				this.accessors[components.length + i] = derived.get(i);
			}
			for (Method accessor : this.accessors) {
				accessor.trySetAccessible();
			}
			try {
				this.constructor = type.getDeclaredConstructor(parameters);
			}
			catch (NoSuchMethodException ex) {
				throw new IllegalStateException("no canonical constructor in " + type, ex);
			}
			this.constructor.trySetAccessible();
		}

		private static List<Method> derivedValues(Class<?> type) {
			// by name, as a TreeMap rather than a comparator lambda: see PITFALLS on what
			// the lean master's classes are
			Map<String, Method> derived = new TreeMap<>();
			for (Method method : type.getDeclaredMethods()) {
				String name = method.getName();
				boolean is = name.length() > 2 && name.startsWith("is") && Character.isUpperCase(name.charAt(2))
						&& (method.getReturnType() == boolean.class || method.getReturnType() == Boolean.class);
				boolean get = name.length() > 3 && name.startsWith("get") && Character.isUpperCase(name.charAt(3))
						&& method.getReturnType() != void.class;
				if ((is || get) && method.getParameterCount() == 0 && Modifier.isPublic(method.getModifiers())
						&& !Modifier.isStatic(method.getModifiers())) {
					derived.put(name, method);
				}
			}
			return new ArrayList<>(derived.values());
		}

	}

	/**
	 * A JSON value that does not fit the record, with the path to it.
	 */
	static final class BadValueException extends RuntimeException {

		private final Deque<String> path = new ArrayDeque<>();

		private final @Nullable String unknownValue;

		private final @Nullable String knownValues;

		BadValueException(String message) {
			super(message, null, false, false);
			this.unknownValue = null;
			this.knownValues = null;
		}

		BadValueException(String unknownValue, String knownValues) {
			super("unknown value '" + unknownValue + "'", null, false, false);
			this.unknownValue = unknownValue;
			this.knownValues = knownValues;
		}

		BadValueException at(String field) {
			this.path.addFirst(field);
			return this;
		}

		BadValueException at(int index) {
			this.path.addFirst("[" + index + "]");
			return this;
		}

		/**
		 * Where the value is, such as {@code outcomes[1].status}.
		 * @return the path, {@code ?} for the body itself
		 */
		String path() {
			StringBuilder path = new StringBuilder();
			for (String segment : this.path) {
				path.append((path.isEmpty() || segment.startsWith("[")) ? "" : ".").append(segment);
			}
			return path.isEmpty() ? "?" : path.toString();
		}

		/**
		 * The value an enum did not know.
		 * @return the value, {@code null} if the value was bad otherwise
		 */
		@Nullable String unknownValue() {
			return this.unknownValue;
		}

		/**
		 * The values the enum knows, for the message.
		 * @return the known values, comma separated
		 */
		@Nullable String knownValues() {
			return this.knownValues;
		}

	}

}
