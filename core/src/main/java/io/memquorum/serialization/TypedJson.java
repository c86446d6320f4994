package io.memquorum.serialization;

import java.io.InvalidClassException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DefaultTyping;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JacksonModule;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.jsontype.BasicPolymorphicTypeValidator;

/**
 * JSON (Jackson 3) that a person can read in memcached and that names only allowed
 * classes. A value is stored as {@code {"type":"com.example.Price","value":{...}}}: the
 * root class is checked against the {@link PackageAllowList} by name before it is loaded,
 * and nested values of a non-final declared type carry an {@code "@class"} property that
 * Jackson's polymorphic type validator checks against the same list, also by name. So the
 * stored bytes cannot make the reader build a class outside the list.
 * <p>
 * A class whose shape changed since the value was written fails to read: an unknown
 * property, or a constructor parameter without a value, is an error, which the cache and
 * the session store read as a miss. Documents nested deeper than
 * {@value #MAX_NESTING_DEPTH} levels are rejected while parsing.
 */
public final class TypedJson {

	static final int MAX_NESTING_DEPTH = 64;

	private static final String TYPE = "type";

	private static final String VALUE = "value";

	private final PackageAllowList allowList;

	private final @Nullable ClassLoader classLoader;

	private final JsonMapper mapper;

	/**
	 * Create a codec whose mapper enables type information on its own.
	 * @param allowList the classes that may be read back
	 * @param classLoader the class loader to resolve classes with, or {@code null} for
	 * the thread context class loader
	 */
	public TypedJson(PackageAllowList allowList, @Nullable ClassLoader classLoader) {
		this(allowList, classLoader, null);
	}

	/**
	 * Create a codec with further Jackson modules.
	 * @param allowList the classes that may be read back
	 * @param classLoader the class loader to resolve classes with, or {@code null} for
	 * the thread context class loader
	 * @param modules given the type validator builder, already limited to
	 * {@code allowList}, the modules to add; they take over enabling type information
	 * with it (as Spring Security's {@code SecurityJacksonModules} does). {@code null}
	 * for none.
	 */
	public TypedJson(PackageAllowList allowList, @Nullable ClassLoader classLoader,
			@Nullable Function<BasicPolymorphicTypeValidator.Builder, List<JacksonModule>> modules) {
		this.allowList = allowList;
		this.classLoader = classLoader;
		BasicPolymorphicTypeValidator.Builder types = BasicPolymorphicTypeValidator.builder()
			.allowIfSubType(allowedNames(allowList));
		JsonFactory factory = JsonFactory.builder()
			.streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
			.build();
		JsonMapper.Builder builder = JsonMapper.builder(factory)
			.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
			.enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);
		if (modules != null) {
			builder.addModules(modules.apply(types));
		}
		else {
			builder.activateDefaultTyping(types.build(), DefaultTyping.NON_FINAL, JsonTypeInfo.As.PROPERTY);
		}
		this.mapper = builder.build();
	}

	/**
	 * Write a value with its class name.
	 * @param value the value
	 * @return UTF-8 JSON
	 * @throws tools.jackson.core.JacksonException when Jackson cannot write the value
	 */
	public byte[] write(Object value) {
		String type = value.getClass().getName();
		byte[] json = this.mapper.writerFor(value.getClass()).writeValueAsBytes(value);
		byte[] head = ("{\"" + TYPE + "\":\"" + type + "\",\"" + VALUE + "\":").getBytes(StandardCharsets.UTF_8);
		byte[] result = new byte[head.length + json.length + 1];
		System.arraycopy(head, 0, result, 0, head.length);
		System.arraycopy(json, 0, result, head.length, json.length);
		result[result.length - 1] = '}';
		return result;
	}

	/**
	 * Read a value back.
	 * @param bytes what {@link #write(Object)} produced
	 * @return the value
	 * @throws InvalidClassException when the named class is not allowed
	 * @throws ClassNotFoundException when the class no longer exists
	 * @throws tools.jackson.core.JacksonException when the JSON is not a value of this
	 * format, names a nested class that is not allowed, or no longer fits its class
	 */
	public Object read(byte[] bytes) throws InvalidClassException, ClassNotFoundException {
		JsonNode root = this.mapper.readTree(bytes);
		JsonNode type = root.get(TYPE);
		JsonNode value = root.get(VALUE);
		if (type == null || !type.isString() || value == null) {
			throw new InvalidClassException(null, "not a typed JSON value: no \"type\" and \"value\"");
		}
		String name = type.asString();
		if (!isAllowed(name)) {
			throw new InvalidClassException(name, "not in the allow-list " + this.allowList.packages());
		}
		ClassLoader loader = (this.classLoader != null) ? this.classLoader
				: Thread.currentThread().getContextClassLoader();
		Class<?> target = Class.forName(name, false, loader);
		return this.mapper.readerFor(target).readValue(value);
	}

	private boolean isAllowed(String name) {
		String element = name;
		while (element.startsWith("[")) {
			element = element.substring(1);
		}
		if (element.length() == 1 && "BCDFIJSZ".contains(element)) {
			return name.startsWith("[");
		}
		if (name.startsWith("[") && element.startsWith("L") && element.endsWith(";")) {
			element = element.substring(1, element.length() - 1);
		}
		return this.allowList.allows(element);
	}

	/**
	 * The class names, and arrays of them, that {@code allowList} allows, as one pattern
	 * Jackson matches before it loads a class.
	 */
	static Pattern allowedNames(PackageAllowList allowList) {
		StringBuilder exact = new StringBuilder();
		StringBuilder packages = new StringBuilder();
		for (String entry : allowList.packages()) {
			String quoted = Pattern.quote(entry);
			exact.append(exact.isEmpty() ? "" : "|").append(quoted);
			packages.append(packages.isEmpty() ? "" : "|").append(quoted);
		}
		StringBuilder never = new StringBuilder();
		for (String entry : PackageAllowList.NEVER_BY_PACKAGE) {
			never.append(never.isEmpty() ? "" : "|").append(Pattern.quote(entry));
		}
		String className = "(?:(?:" + exact + ")|(?!(?:" + never + ")\\.)(?:" + packages + ")\\.[^;\\[]+)";
		return Pattern.compile("(?:\\[+L" + className + ";)|(?:\\[+[BCDFIJSZ])|" + className);
	}

}
