package io.memquorum.autoconfigure.endpoint;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.security.MessageDigest;

import io.memquorum.cache.MemquorumCache;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.session.ReplicatedSessionRepository;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import org.springframework.cache.CacheManager;
import org.springframework.context.ConfigurableApplicationContext;

import static io.memquorum.autoconfigure.endpoint.EndpointJson.ok;
import static io.memquorum.autoconfigure.endpoint.EndpointJson.replica;
import static io.memquorum.autoconfigure.endpoint.EndpointTestApplication.get;
import static io.memquorum.autoconfigure.endpoint.EndpointTestApplication.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /actuator/memquorum/keys/{key}} over HTTP against three real memcached
 * nodes, with refill off so that a node restarted empty stays empty while it is looked
 * at: the view names each replica and what it holds, and no answer carries a value byte
 * or a session id.
 */
class MemquorumEndpointKeyViewTests {

	private static final String SECRET_VALUE = "VALUE-MARKER-never-in-an-answer";

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private static ConfigurableApplicationContext app;

	@BeforeAll
	static void startApplication() {
		app = EndpointTestApplication.start(memcached.cluster().servers(), "memquorum.refill.enabled=false");
	}

	@AfterAll
	static void stopApplication() {
		app.close();
	}

	@Test
	void afterANodeRestartsEmptyTheKeyViewShowsThatNodeMissingTheKeyAndTheOthersHoldingIt() {
		MemquorumCache products = (MemquorumCache) app.getBean(CacheManager.class).getCache("products");
		products.put(7L, SECRET_VALUE);
		String encoded = app.getBean(ReplicatedMemcached.class).keyEncoder().encode(products.storageKey(7L));
		// Writes return at quorum: wait until every replica holds it.
		await().until(() -> memcached.cluster().nodes().stream().allMatch((node) -> node.keys().contains(encoded)));
		JsonNode before = ok(get(app, "/actuator/memquorum/keys/%23Long(7)?cache=products"));
		assertThat(before.get("store").asString()).isEqualTo("cache");
		assertThat(before.get("storageKey").asString()).isEqualTo("products::#Long(7)");
		assertThat(before.get("replicas")).hasSize(3);
		before.get("replicas").forEach((replica) -> assertThat(replica.get("holds").asString()).isEqualTo("VALUE"));
		long version = before.get("replicas").get(0).get("version").asLong();

		MemcachedNode restarted = memcached.cluster().node(1);
		restarted.restartEmpty();
		await().untilAsserted(() -> {
			HttpResponse<String> response = get(app, "/actuator/memquorum/keys/%23Long(7)?cache=products");
			assertThat(response.body()).doesNotContain(SECRET_VALUE);
			JsonNode after = ok(response);
			assertThat(replica(after, restarted.address()).get("holds").asString()).isEqualTo("NOTHING");
			assertThat(replica(after, restarted.address()).get("version").asLong()).isEqualTo(-1);
			for (int other : new int[] { 0, 2 }) {
				JsonNode holder = replica(after, memcached.cluster().node(other).address());
				assertThat(holder.get("holds").asString()).isEqualTo("VALUE");
				assertThat(holder.get("version").asLong()).isEqualTo(version);
				assertThat(holder.get("size").asLong()).isPositive();
			}
		});
	}

	@Test
	void aSessionIsLookedUpByItsIdWhichNoAnswerRepeatsAndItsAttributesStayOut() throws Exception {
		HttpResponse<String> stored = post(app, "/note?text=" + SECRET_VALUE);
		assertThat(stored.statusCode()).isEqualTo(200);
		String cookie = stored.headers()
			.allValues("Set-Cookie")
			.stream()
			.filter((header) -> header.startsWith("SESSION="))
			.findFirst()
			.orElseThrow()
			.substring("SESSION=".length())
			.split(";")[0];
		String id = new String(Base64.getDecoder().decode(cookie), StandardCharsets.UTF_8);
		String storageKey = app.getBean(ReplicatedSessionRepository.class).storageKey(id);
		String encoded = app.getBean(ReplicatedMemcached.class).keyEncoder().encode(storageKey);
		await().until(() -> memcached.cluster().nodes().stream().allMatch((node) -> node.keys().contains(encoded)));

		HttpResponse<String> view = get(app, "/actuator/memquorum/keys?session=" + id);
		JsonNode json = ok(view);
		assertThat(json.get("store").asString()).isEqualTo("session");
		assertThat(json.get("storageKey").asString()).isEqualTo("session:" + sha256(id));
		json.get("replicas").forEach((replica) -> assertThat(replica.get("holds").asString()).isEqualTo("VALUE"));
		HttpResponse<String> nodes = get(app, "/actuator/memquorum");
		HttpResponse<String> wrongSection = get(app, "/actuator/memquorum/sessions?session=" + id);
		assertThat(wrongSection.statusCode()).isEqualTo(400);
		for (HttpResponse<String> answer : java.util.List.of(view, nodes, wrongSection)) {
			assertThat(answer.body()).doesNotContain(id).doesNotContain(cookie).doesNotContain(SECRET_VALUE);
		}
	}

	@Test
	void anUnknownCacheIsABadRequestAndCreatesNoCache() {
		HttpResponse<String> response = get(app, "/actuator/memquorum/keys/a?cache=nonesuch");
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(app.getBean(CacheManager.class).getCacheNames()).doesNotContain("nonesuch");
	}

	@Test
	void theNodeViewListsEveryNodeWithStateHintsAndRefill() {
		JsonNode json = ok(get(app, "/actuator/memquorum"));
		assertThat(json.get("writeQuorumReachable").asBoolean()).isTrue();
		assertThat(json.get("nodes")).hasSize(3);
		JsonNode first = EndpointJson.node(json, memcached.cluster().node(0).address());
		assertThat(first.get("hintsOwed").asInt()).isZero();
		assertThat(first.get("refill").get("phase").asString()).isEqualTo("DISABLED");
	}

	private static String sha256(String text) throws Exception {
		return HexFormat.of()
			.formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
	}

}
