package io.memquorum.refill;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.engine.TestEngines;
import io.memquorum.node.NodeAddress;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.memquorum.refill.RefillTesting.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three replicas on five nodes, then the node list changes: every key must end up on
 * every one of its new replicas, and none may be lost.
 */
class RefillPlacementTests {

	private static final int ENTRIES = 2_000;

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(6);

	@RegisterExtension
	final TestEngines engines = new TestEngines(memcached, RefillTesting::fast);

	private ReplicatedMemcached open(List<String> servers) {
		return this.engines.open((builder) -> builder.servers(servers).replicationFactor(3));
	}

	private void writeOnFive(List<String> five) {
		ReplicatedMemcached before = open(five);
		RefillTesting.awaitEveryNodeComplete(before, Instant.EPOCH);
		RefillTesting.inBatches(ENTRIES,
				(i) -> before.setAsync("placed:" + i, bytes("value " + i), Duration.ofMinutes(10)));
		// Writes return at quorum: wait until every key is on all three of its replicas.
		await().atMost(RefillTesting.SETTLE).until(() -> itemsOn(five) >= 3L * ENTRIES + five.size());
		before.close();
	}

	@Test
	void addingASixthNodeToTheListLosesNoKeyAndFillsEveryNewReplica() {
		List<String> all = memcached.cluster().addresses();
		writeOnFive(all.subList(0, 5));

		Instant change = Instant.now();
		ReplicatedMemcached after = open(all);
		RefillTesting.awaitEveryNodeComplete(after, change);

		assertEveryKeyOnEveryReplica(after);
	}

	@Test
	void removingANodeFromTheListLosesNoKeyAndFillsEveryNewReplica() {
		List<String> all = memcached.cluster().addresses();
		writeOnFive(all.subList(0, 5));
		MemcachedNode removed = memcached.cluster().node(2);
		List<String> four = new ArrayList<>(all.subList(0, 5));
		four.remove(removed.address());
		removed.kill();

		Instant change = Instant.now();
		ReplicatedMemcached after = open(four);
		RefillTesting.awaitEveryNodeComplete(after, change);

		assertEveryKeyOnEveryReplica(after);
	}

	private void assertEveryKeyOnEveryReplica(ReplicatedMemcached engine) {
		Map<NodeAddress, List<String>> expected = new HashMap<>();
		for (int i = 0; i < ENTRIES; i++) {
			String key = "placed:" + i;
			for (NodeAddress replica : engine.placement().replicasFor(engine.keyEncoder().encode(key))) {
				expected.computeIfAbsent(replica, (r) -> new ArrayList<>()).add(key);
			}
			assertThat(engine.get(key)).as(key).asString().isEqualTo("value " + i);
		}
		for (MemcachedNode node : memcached.cluster().nodes()) {
			List<String> keys = expected.get(NodeAddress.parse(node.address()));
			if (keys != null) {
				assertThat(RefillTesting.missingOn(node, keys)).as("keys missing on their replica %s", node).isEmpty();
			}
		}
	}

	private static long itemsOn(List<String> servers) {
		long items = 0;
		for (MemcachedNode node : memcached.cluster().nodes()) {
			if (servers.contains(node.address())) {
				items += node.currentItems();
			}
		}
		return items;
	}

}
