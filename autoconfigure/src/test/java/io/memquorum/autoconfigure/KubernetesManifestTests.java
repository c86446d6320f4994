package io.memquorum.autoconfigure;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What docs/operations.md says the shipped manifest
 * {@code docs/kubernetes/memcached-statefulset.yaml} does for a node drain or a node pool
 * rotation: no two memcached pods on one Kubernetes node, and at most one pod evicted
 * while another is not ready (not yet refilled).
 */
class KubernetesManifestTests {

	private static final Path MANIFEST = Path.of("..", "docs", "kubernetes", "memcached-statefulset.yaml");

	@Test
	void noTwoMemcachedPodsShareAKubernetesNode() throws Exception {
		Map<String, Object> statefulSet = document("StatefulSet");
		Map<String, Object> antiAffinity = at(statefulSet, "spec", "template", "spec", "affinity", "podAntiAffinity");
		List<Map<String, Object>> terms = list(antiAffinity.get("requiredDuringSchedulingIgnoredDuringExecution"));
		assertThat(terms).singleElement().satisfies((term) -> {
			assertThat(term.get("topologyKey")).isEqualTo("kubernetes.io/hostname");
			assertThat(at(term, "labelSelector", "matchLabels")).containsEntry("app", "memcached");
		});
		assertThat(at(statefulSet, "spec", "template", "metadata", "labels")).containsEntry("app", "memcached");
	}

	@Test
	void aDrainEvictsOneMemcachedPodAtATimeAndNoneWhileAnotherIsNotReady() throws Exception {
		Map<String, Object> budget = document("PodDisruptionBudget");
		assertThat(budget.get("apiVersion")).isEqualTo("policy/v1");
		assertThat(at(budget, "spec")).containsEntry("maxUnavailable", 1).doesNotContainKey("minAvailable");
		assertThat(at(budget, "spec", "selector", "matchLabels")).containsEntry("app", "memcached");
	}

	@Test
	void aPodIsReadyOnlyWhenTheReadinessScriptSaysItWasRefilled() throws Exception {
		Map<String, Object> container = list(at(document("StatefulSet"), "spec", "template", "spec").get("containers"))
			.get(0);
		assertThat(at(container, "readinessProbe", "exec").get("command").toString()).contains("memquorum-ready.sh");
	}

	private static Map<String, Object> document(String kind) throws Exception {
		List<Map<String, Object>> documents = new ArrayList<>();
		try (Reader reader = Files.newBufferedReader(MANIFEST)) {
			new Yaml().loadAll(reader).forEach((document) -> documents.add(map(document)));
		}
		return documents.stream()
			.filter((document) -> kind.equals(document.get("kind")))
			.findFirst()
			.orElseThrow(() -> new AssertionError("No " + kind + " in " + MANIFEST));
	}

	private static Map<String, Object> at(Map<String, Object> document, String... path) {
		Map<String, Object> current = document;
		for (String name : path) {
			assertThat(current).as("%s in %s", name, String.join(".", path)).containsKey(name);
			current = map(current.get(name));
		}
		return current;
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
