package io.memquorum.session;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.node.NodeCredentials;
import io.memquorum.refill.RefillTesting;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import io.memquorum.test.MemcachedOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.memquorum.refill.RefillTesting.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Fault: restart empty, every node in turn, each once the previous one is refilled, on
 * three real memcached nodes started with {@code -Y} and an auth file. What must hold:
 * every idle session and every cache entry is still there, on every replica, because the
 * refill's key listings authenticate like every other connection.
 */
class AuthenticatedRollingRestartTests {

	private static final int SESSIONS = 20;

	private static final int ENTRIES = 2_000;

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3,
			MemcachedOptions.defaults().withCredentials("shop", "s3cret-pass"));

	private final List<ReplicatedMemcached> open = new ArrayList<>();

	@AfterEach
	void close() {
		this.open.forEach(ReplicatedMemcached::close);
	}

	@Test
	void restartingEveryAuthenticatedNodeInTurnKeepsEveryIdleSessionAndEveryCacheEntry() {
		ReplicatedMemcached engine = RefillTesting
			.fast(ReplicatedMemcached.builder()
				.servers(memcached.cluster().addresses())
				.credentials(new NodeCredentials("shop", "s3cret-pass")))
			.build();
		this.open.add(engine);
		ReplicatedSessionRepository repository = new ReplicatedSessionRepository(engine);
		RefillTesting.awaitEveryNodeComplete(engine, Instant.EPOCH);
		List<String> sessions = new ArrayList<>();
		for (int i = 0; i < SESSIONS; i++) {
			ReplicatedSession session = repository.createSession();
			session.setAttribute("cart", "items of user " + i);
			repository.save(session);
			sessions.add(session.getId());
		}
		RefillTesting.inBatches(ENTRIES,
				(i) -> engine.setAsync("product:" + i, bytes("product " + i), Duration.ofMinutes(10)));
		List<String> entryKeys = new ArrayList<>();
		List<String> encodedEntryKeys = new ArrayList<>();
		for (int i = 0; i < ENTRIES; i++) {
			entryKeys.add("product:" + i);
			encodedEntryKeys.add(engine.keyEncoder().encode("product:" + i));
		}
		// Writes return at quorum: wait for the third replica before restarting anything.
		for (MemcachedNode node : memcached.cluster().nodes()) {
			await().atMost(RefillTesting.SETTLE).until(() -> node.currentItems() >= ENTRIES + SESSIONS);
		}

		for (MemcachedNode node : memcached.cluster().nodes()) {
			Instant restartedAt = Instant.now();
			node.restartEmpty();
			RefillTesting.awaitComplete(engine, node, restartedAt);
		}

		for (MemcachedNode node : memcached.cluster().nodes()) {
			assertThat(RefillTesting.missingOn(node, encodedEntryKeys)).as("cache entries missing on %s", node)
				.isEmpty();
		}
		Map<String, byte[]> read = engine.getAll(entryKeys);
		assertThat(read).hasSize(ENTRIES);
		for (int i = 0; i < SESSIONS; i++) {
			ReplicatedSession session = repository.findById(sessions.get(i));
			assertThat(session).as("idle session %d", i).isNotNull();
			assertThat((String) session.getAttribute("cart")).isEqualTo("items of user " + i);
		}
	}

}
