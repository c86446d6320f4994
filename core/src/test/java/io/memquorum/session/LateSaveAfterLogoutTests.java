package io.memquorum.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.memquorum.engine.Envelope;
import io.memquorum.engine.NodeStatus;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Fault: restart empty. A logout leaves its tombstones on three real memcached nodes; two
 * of them restart empty before any refill reaches them, so the one tombstone left is on a
 * minority; then a request that read the session before the logout saves. What must hold:
 * the save writes the session nowhere (not even to the empty replicas, which it would
 * otherwise fill), and the session stays logged out.
 */
class LateSaveAfterLogoutTests {

	private static final Duration SETTLE = Duration.ofSeconds(20);

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private final List<ReplicatedMemcached> engines = new ArrayList<>();

	@AfterEach
	void closeEngines() {
		this.engines.forEach(ReplicatedMemcached::close);
	}

	private ReplicatedMemcached engine() {
		// No refill: the restarted replicas stay empty, as before a refill reaches them.
		ReplicatedMemcached engine = ReplicatedMemcached.builder()
			.servers(memcached.cluster().addresses())
			.operationTimeout(Duration.ofMillis(500))
			.probeInterval(Duration.ofMillis(50))
			.maxProbeInterval(Duration.ofMillis(300))
			.restartCheckInterval(Duration.ofMillis(200))
			.reconnectInterval(Duration.ofMillis(200))
			.refillEnabled(false)
			.build();
		this.engines.add(engine);
		return engine;
	}

	@Test
	void aSaveByARequestThatReadTheSessionBeforeTheLogoutWritesNothingWhenOnlyOneReplicaKeepsTheTombstone() {
		ReplicatedMemcached engine = engine();
		ReplicatedSessionRepository repository = new ReplicatedSessionRepository(engine);
		ReplicatedSession created = repository.createSession();
		created.setAttribute("cart", "3 items");
		repository.save(created);
		String id = created.getId();
		String key = engine.keyEncoder().encode(repository.sessionKey(id));
		await().atMost(SETTLE).until(() -> everyNodeHolds(key, false));

		// A slow request reads the session; the user logs out meanwhile.
		ReplicatedSession slowRequest = repository.findById(id);
		assertThat(slowRequest).isNotNull();
		repository.deleteById(id);
		await().atMost(SETTLE).until(() -> everyNodeHolds(key, true));

		// Two replicas restart empty: only the third keeps the logout's tombstone.
		restartEmpty(engine, 0);
		restartEmpty(engine, 1);

		slowRequest.setAttribute("cart", "4 items");
		repository.save(slowRequest);

		assertThat(repository.findById(id)).isNull();
		// Not a single replica holds the session: not now, nor once the background writes
		// of the save have settled.
		await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
			for (MemcachedNode node : memcached.cluster().nodes()) {
				Envelope held = envelopeOn(node, key);
				assertThat(held == null || !held.isValue()).as("a value on %s", node).isTrue();
			}
		});
		assertThat(repository.getResurrectionsPreventedCount()).isPositive();
	}

	@Test
	void aSaveThatReachesOnlyEmptyReplicasWhileTheOneWithTheTombstoneIsPausedWritesNothing() {
		ReplicatedMemcached engine = engine();
		ReplicatedSessionRepository repository = new ReplicatedSessionRepository(engine);
		ReplicatedSession created = repository.createSession();
		created.setAttribute("cart", "3 items");
		repository.save(created);
		String id = created.getId();
		String key = engine.keyEncoder().encode(repository.sessionKey(id));
		await().atMost(SETTLE).until(() -> everyNodeHolds(key, false));
		ReplicatedSession slowRequest = repository.findById(id);
		repository.deleteById(id);
		await().atMost(SETTLE).until(() -> everyNodeHolds(key, true));
		restartEmpty(engine, 0);
		restartEmpty(engine, 1);

		// Fault: pause. The only replica with the tombstone does not answer the save.
		MemcachedNode withTombstone = memcached.cluster().node(2);
		withTombstone.pause();
		try {
			slowRequest.setAttribute("cart", "4 items");
			assertThatExceptionOfType(SessionStoreUnavailableException.class)
				.isThrownBy(() -> repository.save(slowRequest))
				.withMessageContaining("a logout cannot be ruled out");
			for (int n = 0; n < 2; n++) {
				Envelope held = envelopeOn(memcached.cluster().node(n), key);
				assertThat(held == null || !held.isValue()).as("a value on node %d", n).isTrue();
			}
			assertThat(repository.findById(id)).isNull();
		}
		finally {
			withTombstone.resume();
		}
		assertThat(repository.findById(id)).isNull();
	}

	private static void restartEmpty(ReplicatedMemcached engine, int index) {
		int restarts = engine.nodeStatus().get(index).restarts();
		memcached.cluster().node(index).restartEmpty();
		await().atMost(SETTLE).untilAsserted(() -> {
			NodeStatus status = engine.nodeStatus().get(index);
			assertThat(status.restarts()).as("%s", status).isGreaterThan(restarts);
			assertThat(status.readable()).as("%s", status).isTrue();
		});
	}

	private static boolean everyNodeHolds(String key, boolean tombstone) {
		for (MemcachedNode node : memcached.cluster().nodes()) {
			Envelope held = envelopeOn(node, key);
			if (held == null || held.isTombstone() != tombstone || (!tombstone && !held.isValue())) {
				return false;
			}
		}
		return true;
	}

	private static @Nullable Envelope envelopeOn(MemcachedNode node, String key) {
		byte[] raw = node.rawGet(key);
		return (raw != null) ? Envelope.decode(Envelope.FLAGS, raw) : null;
	}

}
