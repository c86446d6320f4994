package io.memquorum.autoconfigure.endpoint;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

import io.memquorum.cache.MemquorumCache;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import org.springframework.cache.CacheManager;
import org.springframework.context.ConfigurableApplicationContext;

import static io.memquorum.autoconfigure.endpoint.EndpointJson.node;
import static io.memquorum.autoconfigure.endpoint.EndpointJson.ok;
import static io.memquorum.autoconfigure.endpoint.EndpointJson.replica;
import static io.memquorum.autoconfigure.endpoint.EndpointTestApplication.get;
import static io.memquorum.autoconfigure.endpoint.EndpointTestApplication.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code POST /actuator/memquorum/nodes/{node}/verify} over HTTP against three real
 * memcached nodes. Refill checks markers only every ten minutes here, so only the
 * verification asked for can bring back what a node lost behind the engine's back.
 */
class MemquorumEndpointVerifyTests {

	private static final String SECRET_VALUE = "VALUE-MARKER-never-in-an-answer";

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private static ConfigurableApplicationContext app;

	@BeforeAll
	static void startApplication() {
		app = EndpointTestApplication.start(memcached.cluster().servers(), "memquorum.refill.check-interval=10m");
	}

	@AfterAll
	static void stopApplication() {
		app.close();
	}

	@Test
	void aVerificationStartedOverHttpOfANodeFlushedBehindTheEnginesBackCompletesAndWritesTheKeyBack() {
		// The first check at startup refills every node without a marker: wait for it.
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> ok(get(app, "/actuator/memquorum")).get("nodes")
				.forEach((node) -> assertThat(node.get("refill").get("phase").asString()).isEqualTo("COMPLETE")));
		MemquorumCache products = (MemquorumCache) app.getBean(CacheManager.class).getCache("products");
		products.put(8L, SECRET_VALUE);
		String encoded = app.getBean(ReplicatedMemcached.class).keyEncoder().encode(products.storageKey(8L));
		await().until(() -> memcached.cluster().nodes().stream().allMatch((node) -> node.keys().contains(encoded)));

		// Fault: node 2 is flushed behind the engine's back (no restart to notice).
		MemcachedNode flushed = memcached.cluster().node(2);
		flushed.flushAll();
		assertThat(replica(ok(get(app, "/actuator/memquorum/keys/%23Long(8)?cache=products")), flushed.address())
			.get("holds")
			.asString()).isEqualTo("NOTHING");

		Instant asked = Instant.now();
		HttpResponse<String> started = post(app, "/actuator/memquorum/nodes/" + flushed.address() + "/verify");
		assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
		JsonNode answer = EndpointJson.read(started.body());
		assertThat(answer.get("started").asBoolean()).isTrue();
		assertThat(answer.get("node").asString()).isEqualTo(flushed.address());

		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			JsonNode refill = node(ok(get(app, "/actuator/memquorum")), flushed.address()).get("refill");
			assertThat(refill.get("phase").asString()).isEqualTo("COMPLETE");
			assertThat(Instant.parse(refill.get("completedAt").asString())).isAfterOrEqualTo(asked.minusMillis(1));
		});
		HttpResponse<String> after = get(app, "/actuator/memquorum/keys/%23Long(8)?cache=products");
		JsonNode view = ok(after);
		long version = replica(view, memcached.cluster().node(0).address()).get("version").asLong();
		assertThat(replica(view, flushed.address()).get("holds").asString()).isEqualTo("VALUE");
		assertThat(replica(view, flushed.address()).get("version").asLong()).isEqualTo(version);
		for (HttpResponse<String> response : java.util.List.of(started, after)) {
			assertThat(response.body()).doesNotContain(SECRET_VALUE);
		}
	}

	@Test
	void verifyingAnUnknownNodeIsABadRequest() {
		assertThat(post(app, "/actuator/memquorum/nodes/127.0.0.1:1/verify").statusCode()).isEqualTo(400);
		assertThat(
				post(app, "/actuator/memquorum/nodes/" + memcached.cluster().node(0).address() + "/flush").statusCode())
			.isEqualTo(400);
	}

}
