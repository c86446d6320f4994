package io.memquorum.refill;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.engine.TestEngines;
import io.memquorum.metrics.EngineMetrics;
import io.memquorum.node.NodeAddress;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.memquorum.refill.RefillTesting.bytes;
import static io.memquorum.refill.RefillTesting.refillOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Restart empty, with refill under way: FIRST_HIT reads ask the restarted node after its
 * peers, so none of them misses there first, and every read still returns the value.
 */
class RefillReadOrderTests {

	private static final int KEYS = 150;

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	// Ten entries a second: the single batch of the restarted node waits about 15 s for
	// its turn, so the node stays empty (and may lack entries) while the reads run.
	@RegisterExtension
	final TestEngines engines = new TestEngines(memcached,
			(builder) -> RefillTesting.fast(builder).refillEntriesPerSecond(10));

	@Test
	void firstHitReadsAskANodeBeingRefilledAfterItsPeers() {
		Failovers failovers = new Failovers();
		ReplicatedMemcached engine = this.engines.open((builder) -> builder.metrics(failovers));
		RefillTesting.awaitEveryNodeComplete(engine, Instant.now().minusSeconds(60));
		for (int i = 0; i < KEYS; i++) {
			engine.set("order:" + i, bytes("value " + i), Duration.ofMinutes(10));
		}
		MemcachedNode restarted = memcached.cluster().node(1);
		await().atMost(RefillTesting.SETTLE).until(() -> restarted.currentItems() >= KEYS);
		restarted.restartEmpty();
		await().atMost(RefillTesting.SETTLE)
			.untilAsserted(() -> assertThat(refillOf(engine, restarted.address()).phase())
				.isEqualTo(RefillStatus.Phase.REFILLING));
		assertThat(restarted.currentItems()).as("nothing copied yet").isLessThan(KEYS / 2);

		for (int i = 0; i < KEYS; i++) {
			assertThat(engine.get("order:" + i)).as("order:%d", i).asString().isEqualTo("value " + i);
		}
		// In a plain shuffle the empty node comes first for about a third of the keys.
		assertThat(failovers.of(restarted.address())).as("reads that missed on the node being refilled first").isZero();
	}

	/** Counts the reads that moved on to another replica, per node. */
	static final class Failovers implements EngineMetrics {

		private final Map<NodeAddress, AtomicLong> counts = new ConcurrentHashMap<>();

		@Override
		public void failover(NodeAddress node) {
			this.counts.computeIfAbsent(node, (n) -> new AtomicLong()).incrementAndGet();
		}

		long of(String address) {
			AtomicLong count = this.counts.get(NodeAddress.parse(address));
			return (count != null) ? count.get() : 0;
		}

	}

}
