package io.memquorum.autoconfigure;

import java.beans.PropertyDescriptor;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.memquorum.autoconfigure.cache.MemquorumCacheProperties;
import io.memquorum.autoconfigure.session.MemquorumSessionProperties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.ConfigurationProperties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The IDE metadata the build generates for this module (its own
 * {@code META-INF/spring-configuration-metadata.json}, not another jar's) describes every
 * property memquorum binds, including the one Spring Boot's health support binds. The
 * properties bound are found by walking the JavaBean properties of the
 * {@code @ConfigurationProperties} classes, so a new property without Javadoc, a default
 * not shown or an enum without value hints fails here.
 */
class ConfigurationMetadataTests {

	private static final List<Class<?>> PROPERTIES_CLASSES = List.of(MemquorumProperties.class,
			MemquorumCacheProperties.class, MemquorumSessionProperties.class);

	private static Map<String, JsonNode> properties;

	private static Map<String, JsonNode> hints;

	@BeforeAll
	static void readGeneratedMetadata() throws Exception {
		URL module = MemquorumProperties.class.getProtectionDomain().getCodeSource().getLocation();
		try (URLClassLoader onlyThisModule = new URLClassLoader(new URL[] { module }, null);
				InputStream metadata = onlyThisModule
					.getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
			assertThat(metadata)
				.as("generated metadata in %s (is the configuration processor on the " + "annotation processor path?)",
						module)
				.isNotNull();
			JsonNode root = JsonMapper.builder().build().readTree(metadata);
			properties = byName(root.get("properties"));
			hints = byName(root.get("hints"));
		}
	}

	@Test
	void theGeneratedMetadataDescribesTheHealthContributorSwitch() {
		JsonNode property = properties.get("management.health.memquorum.enabled");
		assertThat(property).as("management.health.memquorum.enabled in the generated metadata").isNotNull();
		assertThat(property.get("type").asString()).isEqualTo("java.lang.Boolean");
		assertThat(property.get("defaultValue").asBoolean()).isTrue();
		assertThat(property.get("description").asString()).contains("memquorum health");
	}

	@Test
	void everyBoundPropertyIsDescribed() throws Exception {
		Map<String, PropertyDescriptor> bound = boundProperties();
		assertThat(bound).containsKeys("memquorum.servers", "memquorum.refill.heap-limit", "memquorum.cache.serializer",
				"memquorum.session.retry-after");
		List<String> undescribed = new ArrayList<>();
		for (String name : bound.keySet()) {
			JsonNode property = properties.get(name);
			if (property == null || !property.hasNonNull("description")
					|| property.get("description").asString().isBlank()) {
				undescribed.add(name);
			}
		}
		assertThat(undescribed).as("bound properties without a description in the metadata").isEmpty();
	}

	@Test
	void everyPropertyShowsItsDefaultOrSaysWhatUnsetMeans() throws Exception {
		Map<String, Object> defaults = defaults();
		List<String> unexplained = new ArrayList<>();
		defaults.forEach((name, value) -> {
			JsonNode property = properties.get(name);
			if (property == null) {
				unexplained.add(name + " (absent)");
			}
			else if (value == null) {
				if (!property.path("description").asString().toLowerCase(Locale.ROOT).contains("unset")) {
					unexplained.add(name + " (unset by default, and its description does not say what unset means)");
				}
			}
			else if (!isEmpty(value) && !property.has("defaultValue")) {
				unexplained.add(name + " (default " + value + " not in the metadata)");
			}
		});
		assertThat(unexplained).isEmpty();
	}

	@Test
	void everyEnumPropertyHasADescribedHintForEachValue() throws Exception {
		Map<String, PropertyDescriptor> bound = boundProperties();
		List<String> missing = new ArrayList<>();
		bound.forEach((name, descriptor) -> {
			Class<?> type = descriptor.getPropertyType();
			if (!type.isEnum()) {
				return;
			}
			Set<String> expected = new TreeSet<>();
			Arrays.stream(type.getEnumConstants())
				.forEach((constant) -> expected
					.add(((Enum<?>) constant).name().toLowerCase(Locale.ROOT).replace('_', '-')));
			Set<String> hinted = new TreeSet<>();
			JsonNode hint = hints.get(name);
			if (hint != null) {
				for (JsonNode value : hint.get("values")) {
					if (!value.path("description").asString().isBlank()) {
						hinted.add(value.get("value").asString());
					}
				}
			}
			if (!hinted.equals(expected)) {
				missing.add(name + ": described hints " + hinted + ", values " + expected);
			}
		});
		assertThat(missing).isEmpty();
	}

	/** Leaf properties by full name, nested groups walked, as the binder binds them. */
	private static Map<String, PropertyDescriptor> boundProperties() {
		Map<String, PropertyDescriptor> bound = new LinkedHashMap<>();
		for (Class<?> type : PROPERTIES_CLASSES) {
			collect(prefix(type), type, bound);
		}
		return bound;
	}

	private static void collect(String prefix, Class<?> type, Map<String, PropertyDescriptor> bound) {
		for (PropertyDescriptor descriptor : BeanUtils.getPropertyDescriptors(type)) {
			if (descriptor.getReadMethod() == null || descriptor.getName().equals("class")) {
				continue;
			}
			String name = prefix + "." + kebab(descriptor.getName());
			if (descriptor.getWriteMethod() != null) {
				bound.put(name, descriptor);
			}
			else if (descriptor.getPropertyType().getEnclosingClass() == type) {
				collect(name, descriptor.getPropertyType(), bound);
			}
		}
	}

	/** Default values by full name, as a fresh properties object holds them. */
	private static Map<String, Object> defaults() throws Exception {
		Map<String, Object> defaults = new LinkedHashMap<>();
		Map<String, PropertyDescriptor> bound = boundProperties();
		for (Class<?> type : PROPERTIES_CLASSES) {
			Object instance = BeanUtils.instantiateClass(type);
			String prefix = prefix(type);
			for (Map.Entry<String, PropertyDescriptor> entry : bound.entrySet()) {
				if (!entry.getKey().startsWith(prefix + ".") || !ownedBy(entry.getKey(), type)) {
					continue;
				}
				Object holder = instance;
				String[] path = entry.getKey().substring(prefix.length() + 1).split("\\.");
				for (int i = 0; i < path.length - 1; i++) {
					holder = BeanUtils.getPropertyDescriptor(holder.getClass(), camel(path[i]))
						.getReadMethod()
						.invoke(holder);
				}
				defaults.put(entry.getKey(), entry.getValue().getReadMethod().invoke(holder));
			}
		}
		return defaults;
	}

	/** memquorum.cache.* belongs to the cache properties, not to the engine's. */
	private static boolean ownedBy(String name, Class<?> type) {
		String longest = PROPERTIES_CLASSES.stream()
			.map(ConfigurationMetadataTests::prefix)
			.filter((prefix) -> name.startsWith(prefix + "."))
			.reduce("", (a, b) -> (a.length() >= b.length()) ? a : b);
		return longest.equals(prefix(type));
	}

	private static String prefix(Class<?> type) {
		return type.getAnnotation(ConfigurationProperties.class).value();
	}

	private static boolean isEmpty(Object value) {
		return (value instanceof Collection<?> collection && collection.isEmpty())
				|| (value instanceof Map<?, ?> map && map.isEmpty());
	}

	private static String kebab(String camel) {
		return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
	}

	private static String camel(String kebab) {
		StringBuilder camel = new StringBuilder();
		for (String part : kebab.split("-")) {
			camel.append(camel.isEmpty() ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
		}
		return camel.toString();
	}

	private static Map<String, JsonNode> byName(JsonNode array) {
		Map<String, JsonNode> byName = new LinkedHashMap<>();
		if (array != null) {
			array.forEach((node) -> byName.put(node.get("name").asString(), node));
		}
		return byName;
	}

}
