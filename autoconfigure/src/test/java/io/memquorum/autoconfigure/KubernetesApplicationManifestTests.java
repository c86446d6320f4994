package io.memquorum.autoconfigure;

import java.io.InputStream;
import java.io.Reader;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import io.memquorum.discovery.ServerEntry;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The manifests under {@code docs/kubernetes/} parse, and the application Deployment does
 * what docs/kubernetes/README.md says: it finds the memcached pods through the SRV
 * records of the StatefulSet's headless Service, reads its signing key from a Secret,
 * probes the ports it exposes, and sets only memquorum properties that exist.
 */
class KubernetesApplicationManifestTests {

	private static final Path DIRECTORY = Path.of("..", "docs", "kubernetes");

	@Test
	void everyManifestParsesAndHasAKindAndAName() throws Exception {
		List<Path> manifests;
		try (Stream<Path> files = Files.list(DIRECTORY)) {
			manifests = files.filter((file) -> file.toString().endsWith(".yaml")).sorted().toList();
		}
		assertThat(manifests).map((file) -> file.getFileName().toString())
			.contains("memcached-statefulset.yaml", "application-deployment.yaml");
		for (Path manifest : manifests) {
			for (Map<String, Object> document : documents(manifest)) {
				assertThat(document).as("a document of %s", manifest).containsKeys("apiVersion", "kind", "metadata");
				assertThat(map(document.get("metadata"))).as("metadata in %s", manifest).containsKey("name");
			}
		}
	}

	@Test
	void theApplicationFindsThePodsThroughTheSrvRecordsOfTheHeadlessService() throws Exception {
		Map<String, Object> service = document("memcached-statefulset.yaml", "Service");
		Map<String, Object> port = list(map(service.get("spec")).get("ports")).get(0);
		String serviceName = (String) map(service.get("metadata")).get("name");
		assertThat(map(service.get("spec"))).containsEntry("clusterIP", "None");
		String servers = env(container()).get("MEMQUORUM_SERVERS");
		ServerEntry entry = ServerEntry.parse(servers);
		assertThat(entry).isInstanceOf(ServerEntry.Srv.class);
		assertThat(((ServerEntry.Srv) entry).name()).startsWith("_" + port.get("name") + "._tcp." + serviceName + ".");
		Map<String, Object> statefulSet = document("memcached-statefulset.yaml", "StatefulSet");
		assertThat(map(statefulSet.get("spec"))).containsEntry("serviceName", serviceName);
	}

	@Test
	void theSigningKeyComesFromASecret() throws Exception {
		Map<String, Object> variable = list(container().get("env")).stream()
			.filter((candidate) -> "MEMQUORUM_SIGNING_KEYS".equals(candidate.get("name")))
			.findFirst()
			.orElseThrow();
		assertThat(variable).doesNotContainKey("value");
		assertThat(map(map(variable.get("valueFrom")).get("secretKeyRef"))).containsKeys("name", "key");
	}

	@Test
	void theProbesAskTheHealthGroupsOnThePortTheContainerExposes() throws Exception {
		Map<String, Object> container = container();
		String portName = (String) list(container.get("ports")).get(0).get("name");
		Map<String, Object> liveness = map(map(container.get("livenessProbe")).get("httpGet"));
		Map<String, Object> readiness = map(map(container.get("readinessProbe")).get("httpGet"));
		assertThat(liveness).containsEntry("path", "/actuator/health/liveness").containsEntry("port", portName);
		assertThat(readiness).containsEntry("path", "/actuator/health/readiness").containsEntry("port", portName);
		assertThat(env(container)).containsEntry("MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED", "true");
	}

	@Test
	void everyMemquorumVariableIsAMemquorumProperty() throws Exception {
		Set<String> variables = new HashSet<>();
		for (String property : propertyNames()) {
			// Spring Boot's relaxed binding from the environment: dots become
			// underscores, dashes go, upper case.
			variables.add(property.replace(".", "_").replace("-", "").toUpperCase(Locale.ROOT));
		}
		List<String> set = env(container()).keySet().stream().filter((name) -> name.startsWith("MEMQUORUM_")).toList();
		assertThat(set).isNotEmpty();
		assertThat(variables).containsAll(set);
	}

	private static Map<String, Object> container() throws Exception {
		Map<String, Object> deployment = document("application-deployment.yaml", "Deployment");
		Map<String, Object> pod = map(map(map(deployment.get("spec")).get("template")).get("spec"));
		return list(pod.get("containers")).get(0);
	}

	private static Map<String, String> env(Map<String, Object> container) {
		Map<String, String> values = new java.util.LinkedHashMap<>();
		for (Map<String, Object> variable : list(container.get("env"))) {
			values.put((String) variable.get("name"),
					(variable.get("value") != null) ? String.valueOf(variable.get("value")) : null);
		}
		return values;
	}

	private static List<String> propertyNames() throws Exception {
		URL module = MemquorumProperties.class.getProtectionDomain().getCodeSource().getLocation();
		List<String> names = new ArrayList<>();
		try (URLClassLoader onlyThisModule = new URLClassLoader(new URL[] { module }, null);
				InputStream metadata = onlyThisModule
					.getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
			assertThat(metadata).as("generated metadata in %s", module).isNotNull();
			for (JsonNode property : JsonMapper.builder().build().readTree(metadata).get("properties")) {
				names.add(property.get("name").asString());
			}
		}
		assertThat(names).contains("memquorum.servers", "memquorum.discovery.interval");
		return names;
	}

	private static Map<String, Object> document(String file, String kind) throws Exception {
		return documents(DIRECTORY.resolve(file)).stream()
			.filter((document) -> kind.equals(document.get("kind")))
			.findFirst()
			.orElseThrow(() -> new AssertionError("No " + kind + " in " + file));
	}

	private static List<Map<String, Object>> documents(Path manifest) throws Exception {
		List<Map<String, Object>> documents = new ArrayList<>();
		try (Reader reader = Files.newBufferedReader(manifest)) {
			new Yaml().loadAll(reader).forEach((document) -> documents.add(map(document)));
		}
		return documents;
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object value) {
		return (Map<String, Object>) value;
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> list(Object value) {
		return (List<Map<String, Object>>) value;
	}

}
