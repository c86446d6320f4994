package io.memquorum.autoconfigure;

import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The IDE metadata the build generates for this module (its own
 * {@code META-INF/spring-configuration-metadata.json}, not another jar's) describes every
 * property memquorum reads, including the one Spring Boot's health support binds.
 */
class ConfigurationMetadataTests {

	@Test
	void theGeneratedMetadataDescribesTheHealthContributorSwitch() throws Exception {
		JsonNode property = property("management.health.memquorum.enabled");
		assertThat(property).as("management.health.memquorum.enabled in the generated metadata").isNotNull();
		assertThat(property.get("type").asString()).isEqualTo("java.lang.Boolean");
		assertThat(property.get("defaultValue").asBoolean()).isTrue();
		assertThat(property.get("description").asString()).contains("memquorum health");
	}

	@Test
	void theGeneratedMetadataStillDescribesTheBoundProperties() throws Exception {
		assertThat(property("memquorum.servers")).isNotNull();
		assertThat(property("memquorum.session.retry-after")).isNotNull();
	}

	private static JsonNode property(String name) throws Exception {
		URL module = MemquorumProperties.class.getProtectionDomain().getCodeSource().getLocation();
		try (URLClassLoader onlyThisModule = new URLClassLoader(new URL[] { module }, null);
				InputStream metadata = onlyThisModule
					.getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
			assertThat(metadata).as("generated metadata in %s", module).isNotNull();
			for (JsonNode property : JsonMapper.builder().build().readTree(metadata).get("properties")) {
				if (property.get("name").asString().equals(name)) {
					return property;
				}
			}
			return null;
		}
	}

}
