package io.memquorum.cache;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.interceptor.SimpleKey;
import org.springframework.util.ReflectionUtils;

/**
 * The default {@link CacheKeyMapper}. A {@link String} key is used as it is (a leading
 * {@code #} is doubled); every other key is written as {@code #} followed by a typed,
 * recursive form that is the same in every JVM:
 * <ul>
 * <li>numbers, booleans, characters, UUIDs, URIs, locales, currencies and
 * {@code java.time} values: {@code SimpleTypeName(toString)}, for example
 * {@code Long(42)};</li>
 * <li>enums: {@code fully.qualified.Type.CONSTANT};</li>
 * <li>records: {@code fully.qualified.Type[component=...,...]}, components in declaration
 * order;</li>
 * <li>{@link SimpleKey}, arrays and lists: {@code [element,...]} in order, strings quoted
 * inside;</li>
 * <li>sets and maps: their mapped elements or {@code key=value} pairs sorted, so that
 * hash order never matters;</li>
 * <li>any other class that overrides {@code toString()}:
 * {@code fully.qualified.Type(toString)}.</li>
 * </ul>
 * A key of a class that does not override {@code toString()} raises
 * {@link UnmappableCacheKeyException}: its default string contains the identity hash
 * code, which differs between JVMs.
 */
public class StableCacheKeyMapper implements CacheKeyMapper {

	private static final int MAX_DEPTH = 32;

	private static final @Nullable Field SIMPLE_KEY_PARAMS = findSimpleKeyParams();

	@Override
	public String toStorageKey(Object key) {
		if (key instanceof String text) {
			return text.startsWith("#") ? "#" + text : text;
		}
		StringBuilder out = new StringBuilder("#");
		append(out, key, 0);
		return out.toString();
	}

	private void append(StringBuilder out, @Nullable Object value, int depth) {
		if (depth > MAX_DEPTH) {
			throw new IllegalArgumentException("Cache key nests deeper than " + MAX_DEPTH + " levels");
		}
		if (value == null) {
			out.append("null");
		}
		else if (value instanceof CharSequence text) {
			quote(out, text.toString());
		}
		else if (value instanceof Number || value instanceof Boolean || value instanceof Character
				|| value instanceof UUID || value instanceof URI || value instanceof Locale || value instanceof Currency
				|| value instanceof TemporalAccessor) {
			out.append(value.getClass().getSimpleName()).append('(').append(value).append(')');
		}
		else if (value instanceof Enum<?> constant) {
			out.append(constant.getDeclaringClass().getName()).append('.').append(constant.name());
		}
		else if (value instanceof Class<?> type) {
			out.append("Class(").append(type.getName()).append(')');
		}
		else if (value instanceof Record record) {
			appendRecord(out, record, depth);
		}
		else if (value instanceof SimpleKey simpleKey) {
			out.append("SimpleKey");
			appendSequence(out, simpleKeyParams(simpleKey), depth);
		}
		else if (value.getClass().isArray()) {
			int length = Array.getLength(value);
			List<@Nullable Object> elements = new ArrayList<>(length);
			for (int i = 0; i < length; i++) {
				elements.add(Array.get(value, i));
			}
			appendSequence(out, elements, depth);
		}
		else if (value instanceof Set<?> set) {
			appendSorted(out, set, depth);
		}
		else if (value instanceof Collection<?> collection) {
			appendSequence(out, new ArrayList<>(collection), depth);
		}
		else if (value instanceof Map<?, ?> map) {
			List<String> entries = new ArrayList<>(map.size());
			for (Map.Entry<?, ?> entry : map.entrySet()) {
				StringBuilder pair = new StringBuilder();
				append(pair, entry.getKey(), depth + 1);
				pair.append('=');
				append(pair, entry.getValue(), depth + 1);
				entries.add(pair.toString());
			}
			entries.sort(null);
			out.append('{').append(String.join(",", entries)).append('}');
		}
		else if (overridesToString(value.getClass())) {
			out.append(value.getClass().getName()).append('(').append(value).append(')');
		}
		else {
			throw new UnmappableCacheKeyException(value.getClass());
		}
	}

	private void appendRecord(StringBuilder out, Record record, int depth) {
		out.append(record.getClass().getName()).append('[');
		RecordComponent[] components = record.getClass().getRecordComponents();
		for (int i = 0; i < components.length; i++) {
			if (i > 0) {
				out.append(',');
			}
			Method accessor = components[i].getAccessor();
			ReflectionUtils.makeAccessible(accessor);
			out.append(components[i].getName()).append('=');
			append(out, ReflectionUtils.invokeMethod(accessor, record), depth + 1);
		}
		out.append(']');
	}

	private void appendSequence(StringBuilder out, List<?> elements, int depth) {
		out.append('[');
		for (int i = 0; i < elements.size(); i++) {
			if (i > 0) {
				out.append(',');
			}
			append(out, elements.get(i), depth + 1);
		}
		out.append(']');
	}

	private void appendSorted(StringBuilder out, Collection<?> elements, int depth) {
		List<String> mapped = new ArrayList<>(elements.size());
		for (Object element : elements) {
			StringBuilder one = new StringBuilder();
			append(one, element, depth + 1);
			mapped.add(one.toString());
		}
		mapped.sort(null);
		out.append('{').append(String.join(",", mapped)).append('}');
	}

	private static void quote(StringBuilder out, String text) {
		out.append('"');
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == '"' || c == '\\') {
				out.append('\\');
			}
			out.append(c);
		}
		out.append('"');
	}

	private static boolean overridesToString(Class<?> type) {
		Method toString = ReflectionUtils.findMethod(type, "toString");
		return toString != null && toString.getDeclaringClass() != Object.class;
	}

	private static List<?> simpleKeyParams(SimpleKey key) {
		if (key.equals(SimpleKey.EMPTY)) {
			return List.of();
		}
		if (SIMPLE_KEY_PARAMS == null) {
			// Spring changed SimpleKey's internals: its toString() is the next best
			// thing.
			return List.of(key.toString());
		}
		Object[] params = (Object[]) ReflectionUtils.getField(SIMPLE_KEY_PARAMS, key);
		return (params != null) ? java.util.Arrays.asList(params) : List.of();
	}

	private static @Nullable Field findSimpleKeyParams() {
		Field field = ReflectionUtils.findField(SimpleKey.class, "params", Object[].class);
		if (field != null) {
			ReflectionUtils.makeAccessible(field);
		}
		return field;
	}

}
