package io.jproc.ipc;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * JSON text to a tree and back, by hand: objects are {@link LinkedHashMap}s, arrays
 * {@link ArrayList}s, numbers {@link Long} ({@link BigInteger} past a long,
 * {@link Double} with a fraction or exponent), and {@code null} is JSON's null. The frame
 * codec needs no more, and the master then loads no JSON library at all (Jackson's
 * databind, core and annotations were about 770 of its 3,900 classes).
 */
final class Json {

	/** Deepest nesting accepted, as Jackson's default; the parser recurses. */
	static final int MAX_DEPTH = 500;

	/** Longest number accepted, as Jackson's default: big ones are slow to parse. */
	static final int MAX_NUMBER_LENGTH = 1000;

	private final String text;

	private int pos;

	private Json(String text) {
		this.text = text;
	}

	/**
	 * Parse one JSON value that fills the whole text, white space apart.
	 * @param text the JSON text
	 * @return the value as a tree
	 * @throws IllegalArgumentException if the text is not one JSON value
	 */
	static @Nullable Object parse(String text) {
		Json json = new Json(text);
		Object value = json.value(0);
		json.skipWhitespace();
		if (json.pos < text.length()) {
			throw json.error("content after the value");
		}
		return value;
	}

	/**
	 * Append a string as a JSON string literal.
	 * @param out where to append
	 * @param value the string
	 */
	static void writeString(StringBuilder out, String value) {
		out.append('"');
		int start = 0;
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c >= 0x20 && c != '"' && c != '\\') {
				continue;
			}
			out.append(value, start, i);
			start = i + 1;
			switch (c) {
				case '"' -> out.append("\\\"");
				case '\\' -> out.append("\\\\");
				case '\n' -> out.append("\\n");
				case '\r' -> out.append("\\r");
				case '\t' -> out.append("\\t");
				case '\b' -> out.append("\\b");
				case '\f' -> out.append("\\f");
				default ->
					out.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
			}
		}
		out.append(value, start, value.length()).append('"');
	}

	private @Nullable Object value(int depth) {
		if (depth > MAX_DEPTH) {
			throw error("nesting deeper than " + MAX_DEPTH);
		}
		skipWhitespace();
		if (this.pos >= this.text.length()) {
			throw error("end of text where a value was expected");
		}
		char c = this.text.charAt(this.pos);
		return switch (c) {
			case '{' -> object(depth);
			case '[' -> array(depth);
			case '"' -> string();
			case 't' -> literal("true", Boolean.TRUE);
			case 'f' -> literal("false", Boolean.FALSE);
			case 'n' -> literal("null", null);
			default -> {
				if (c == '-' || (c >= '0' && c <= '9')) {
					yield number();
				}
				throw error("unexpected character");
			}
		};
	}

	private Map<String, @Nullable Object> object(int depth) {
		Map<String, @Nullable Object> object = new LinkedHashMap<>();
		this.pos++;
		skipWhitespace();
		if (consume('}')) {
			return object;
		}
		do {
			skipWhitespace();
			if (this.pos >= this.text.length() || this.text.charAt(this.pos) != '"') {
				throw error("expected a field name");
			}
			String name = string();
			skipWhitespace();
			if (!consume(':')) {
				throw error("expected ':'");
			}
			object.put(name, value(depth + 1));
			skipWhitespace();
		}
		while (consume(','));
		if (!consume('}')) {
			throw error("expected ',' or '}'");
		}
		return object;
	}

	private List<@Nullable Object> array(int depth) {
		List<@Nullable Object> array = new ArrayList<>();
		this.pos++;
		skipWhitespace();
		if (consume(']')) {
			return array;
		}
		do {
			array.add(value(depth + 1));
			skipWhitespace();
		}
		while (consume(','));
		if (!consume(']')) {
			throw error("expected ',' or ']'");
		}
		return array;
	}

	private String string() {
		this.pos++;
		StringBuilder out = null;
		int start = this.pos;
		while (this.pos < this.text.length()) {
			char c = this.text.charAt(this.pos);
			if (c == '"') {
				String value = (out != null) ? out.append(this.text, start, this.pos).toString()
						: this.text.substring(start, this.pos);
				this.pos++;
				return value;
			}
			if (c < 0x20) {
				throw error("control character in a string");
			}
			if (c != '\\') {
				this.pos++;
				continue;
			}
			out = (out != null) ? out : new StringBuilder();
			out.append(this.text, start, this.pos);
			if (this.pos + 1 >= this.text.length()) {
				break;
			}
			char escaped = this.text.charAt(this.pos + 1);
			this.pos += 2;
			switch (escaped) {
				case '"', '\\', '/' -> out.append(escaped);
				case 'n' -> out.append('\n');
				case 'r' -> out.append('\r');
				case 't' -> out.append('\t');
				case 'b' -> out.append('\b');
				case 'f' -> out.append('\f');
				case 'u' -> out.append(unicodeEscape());
				default -> throw error("bad escape");
			}
			start = this.pos;
		}
		throw error("unterminated string");
	}

	private char unicodeEscape() {
		if (this.pos + 4 > this.text.length()) {
			throw error("short unicode escape");
		}
		int code = 0;
		for (int i = 0; i < 4; i++) {
			int digit = Character.digit(this.text.charAt(this.pos++), 16);
			if (digit < 0) {
				throw error("bad unicode escape");
			}
			code = (code << 4) | digit;
		}
		return (char) code;
	}

	private Object number() {
		int start = this.pos;
		consume('-');
		if (!consume('0') && digits() == 0) {
			throw error("bad number");
		}
		boolean integral = true;
		if (consume('.')) {
			integral = false;
			if (digits() == 0) {
				throw error("bad number");
			}
		}
		if (consume('e') || consume('E')) {
			integral = false;
			if (!consume('+')) {
				consume('-');
			}
			if (digits() == 0) {
				throw error("bad number");
			}
		}
		if (this.pos - start > MAX_NUMBER_LENGTH) {
			throw error("number longer than " + MAX_NUMBER_LENGTH + " characters");
		}
		String number = this.text.substring(start, this.pos);
		if (!integral) {
			return Double.valueOf(number);
		}
		if (number.length() <= 18) {
			return Long.parseLong(number);
		}
		BigInteger big = new BigInteger(number);
		return (big.bitLength() < 64) ? (Object) big.longValue() : big;
	}

	private int digits() {
		int start = this.pos;
		while (this.pos < this.text.length() && this.text.charAt(this.pos) >= '0'
				&& this.text.charAt(this.pos) <= '9') {
			this.pos++;
		}
		return this.pos - start;
	}

	private @Nullable Object literal(String word, @Nullable Object value) {
		if (!this.text.startsWith(word, this.pos)) {
			throw error("unexpected character");
		}
		this.pos += word.length();
		return value;
	}

	private boolean consume(char expected) {
		if (this.pos < this.text.length() && this.text.charAt(this.pos) == expected) {
			this.pos++;
			return true;
		}
		return false;
	}

	private void skipWhitespace() {
		while (this.pos < this.text.length()) {
			char c = this.text.charAt(this.pos);
			if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
				return;
			}
			this.pos++;
		}
	}

	private IllegalArgumentException error(String what) {
		return new IllegalArgumentException(what + " at offset " + this.pos);
	}

}
