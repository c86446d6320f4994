package io.memquorum.autoconfigure.endpoint;

import java.net.http.HttpResponse;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reads the endpoint's JSON answers in the tests.
 */
final class EndpointJson {

	private static final JsonMapper json = JsonMapper.builder().build();

	private EndpointJson() {
	}

	static JsonNode ok(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return json.readTree(response.body());
	}

	static JsonNode read(String body) {
		return json.readTree(body);
	}

	/** The replica entry of one node in a key view. */
	static JsonNode replica(JsonNode keyView, String node) {
		for (JsonNode replica : keyView.get("replicas")) {
			if (replica.get("node").asString().equals(node)) {
				return replica;
			}
		}
		throw new AssertionError("No replica " + node + " in " + keyView);
	}

	/** The entry of one node in the node view. */
	static JsonNode node(JsonNode nodesView, String address) {
		for (JsonNode node : nodesView.get("nodes")) {
			if (node.get("address").asString().equals(address)) {
				return node;
			}
		}
		throw new AssertionError("No node " + address + " in " + nodesView);
	}

}
