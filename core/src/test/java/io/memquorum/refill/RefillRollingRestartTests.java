package io.memquorum.refill;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.memquorum.engine.Envelope;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.engine.TestEngines;
import io.memquorum.node.DumpedKey;
import io.memquorum.node.MetadumpReader;
import io.memquorum.node.NodeAddress;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.memquorum.refill.RefillTesting.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Restart every node in turn, empty, with entries nobody reads: refill must bring each
 * node back before the next one goes.
 */
class RefillRollingRestartTests {

	private static final int ENTRIES = 10_000;

	private static final int DELETED = 2_000;

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	@RegisterExtension
	final TestEngines engines = new TestEngines(memcached, RefillTesting::fast);

	private static Duration ttlOf(int i) {
		return switch (i % 3) {
			case 0 -> Duration.ZERO;
			case 1 -> Duration.ofMinutes(10);
			default -> Duration.ofSeconds(40);
		};
	}

	@Test
	void restartingEveryNodeEmptyThreeSecondsApartLosesNoEntryBringsBackNoDeleteAndExtendsNoLifetime()
			throws Exception {
		ReplicatedMemcached engine = this.engines.open((builder) -> builder);
		RefillTesting.awaitEveryNodeComplete(engine, Instant.EPOCH);
		Map<String, Long> latestExpiry = new HashMap<>();
		RefillTesting.inBatches(ENTRIES, (i) -> {
			Duration ttl = ttlOf(i);
			synchronized (latestExpiry) {
				latestExpiry.put("entry:" + i, ttl.isZero() ? 0 : System.currentTimeMillis() + 1000 + ttl.toMillis());
			}
			return engine.setAsync("entry:" + i, bytes("value " + i), ttl);
		});
		RefillTesting.inBatches(DELETED,
				(i) -> engine.setAsync("deleted:" + i, bytes("gone " + i), Duration.ofMinutes(10)));
		RefillTesting.inBatches(DELETED, (i) -> engine.deleteAsync("deleted:" + i));
		// Writes return at quorum: wait for the third replica before restarting anything.
		for (MemcachedNode node : memcached.cluster().nodes()) {
			await().atMost(RefillTesting.SETTLE).until(() -> node.currentItems() >= ENTRIES + DELETED + 1);
		}

		List<Instant> restartedAt = new ArrayList<>();
		for (int n = 0; n < 3; n++) {
			restartedAt.add(Instant.now());
			memcached.cluster().node(n).restartEmpty();
			if (n < 2) {
				// The fault schedule itself: the next node goes 3 s later whatever
				// happened.
				Thread.sleep(3_000);
			}
		}
		for (int n = 0; n < 3; n++) {
			RefillTesting.awaitComplete(engine, memcached.cluster().node(n), restartedAt.get(n));
		}

		List<String> expected = new ArrayList<>();
		for (int i = 0; i < ENTRIES; i++) {
			expected.add("entry:" + i);
		}
		for (int i = 0; i < DELETED; i++) {
			expected.add("deleted:" + i);
		}
		for (MemcachedNode node : memcached.cluster().nodes()) {
			assertThat(RefillTesting.missingOn(node, expected)).as("entries and tombstones missing on %s", node)
				.isEmpty();
		}
		List<String> entryKeys = new ArrayList<>();
		for (int i = 0; i < ENTRIES; i++) {
			entryKeys.add("entry:" + i);
		}
		Map<String, byte[]> read = new HashMap<>();
		for (int from = 0; from < ENTRIES; from += 500) {
			read.putAll(engine.getAll(entryKeys.subList(from, from + 500)));
		}
		assertThat(read).hasSize(ENTRIES);
		read.forEach(
				(key, value) -> assertThat(value).asString().isEqualTo("value " + key.substring("entry:".length())));
		for (int i = 0; i < DELETED; i++) {
			assertThat(engine.get("deleted:" + i)).as("deleted:%d", i).isNull();
		}
		for (MemcachedNode node : memcached.cluster().nodes()) {
			assertLifetimesNotExtended(node, latestExpiry);
		}
	}

	/**
	 * Every entry on the node expires no later than its original write said, in the
	 * envelope and in memcached's own expiry.
	 */
	private static void assertLifetimesNotExtended(MemcachedNode node, Map<String, Long> latestExpiry)
			throws Exception {
		Map<String, DumpedKey> listed = new HashMap<>();
		new MetadumpReader(NodeAddress.parse(node.address()), Duration.ofSeconds(5)).read((key) -> {
			listed.put(key.key(), key);
			return true;
		});
		for (int i = 0; i < ENTRIES; i++) {
			String key = "entry:" + i;
			long bound = latestExpiry.get(key);
			DumpedKey dumped = listed.get(key);
			assertThat(dumped).as("%s on %s", key, node).isNotNull();
			if (bound == 0) {
				assertThat(dumped.isPermanent()).as("%s on %s", key, node).isTrue();
			}
			else {
				// memcached keeps whole seconds and its clock may trail by one.
				assertThat(dumped.expiresAtSeconds() * 1000).as("memcached expiry of %s on %s", key, node)
					.isLessThanOrEqualTo(bound + 2_000);
			}
			if (i % 50 == 0) {
				Envelope envelope = RefillTesting.envelopeOn(node, key);
				assertThat(envelope).as("%s on %s", key, node).isNotNull();
				if (bound == 0) {
					assertThat(envelope.expiresAtMillis()).isZero();
				}
				else {
					assertThat(envelope.expiresAtMillis()).isPositive().isLessThanOrEqualTo(bound);
				}
			}
		}
	}

}
