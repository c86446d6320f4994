package io.memquorum.refill;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.memquorum.engine.Envelope;
import io.memquorum.engine.NodeState;
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
 * Complete means complete: a node refilled while one of its peers is down (paused) is not
 * marked complete, since what only that peer holds was not copied; once the peer is back,
 * the node is refilled again, gets those entries and is marked complete.
 */
class RefillPeerDownTests {

	private static final int ENTRIES = 500;

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	@RegisterExtension
	final TestEngines engines = new TestEngines(memcached, RefillTesting::fast);

	@Test
	void aNodeRefilledWhileAPeerIsPausedIsNotCompleteUntilThePeerIsBackAndThenHoldsWhatOnlyThatPeerHeld() {
		ReplicatedMemcached engine = this.engines.open((builder) -> builder);
		RefillTesting.awaitEveryNodeComplete(engine, Instant.EPOCH);
		RefillTesting.inBatches(ENTRIES,
				(i) -> engine.setAsync("shared:" + i, bytes("value " + i), Duration.ofMinutes(10)));
		MemcachedNode restarted = memcached.cluster().node(0);
		MemcachedNode paused = memcached.cluster().node(2);
		for (MemcachedNode node : memcached.cluster().nodes()) {
			await().atMost(RefillTesting.SETTLE).until(() -> node.currentItems() >= ENTRIES + 1);
		}
		// An entry whose only copy besides the restarted node's sits on the peer that
		// will be down (the restarted node loses its copy).
		byte[] onlyOnPeer = Envelope.value(System.currentTimeMillis() << 20, 0, bytes("only on the paused peer"))
			.encode();
		paused.rawSet("lonely", onlyOnPeer, Envelope.FLAGS, 0);
		String marker = engine.keyEncoder().internalKey(RefillMarker.NAME);

		paused.pause();
		try {
			await().atMost(RefillTesting.SETTLE).until(() -> {
				engine.getAsync("shared:1");
				return RefillTesting.nodeOf(engine, paused.address()).state() == NodeState.DOWN;
			});
			Instant restart = Instant.now();
			restarted.restartEmpty();

			await().atMost(RefillTesting.SETTLE).untilAsserted(() -> {
				RefillStatus status = RefillTesting.refillOf(engine, restarted.address());
				assertThat(status.phase()).as("%s", status).isEqualTo(RefillStatus.Phase.INCOMPLETE);
				assertThat(status.missingPeers()).containsExactly(NodeAddress.parse(paused.address()));
				assertThat(status.problem()).contains(paused.address(), "down");
			});
			RefillStatus incomplete = RefillTesting.refillOf(engine, restarted.address());
			assertThat(incomplete.completedAt()).isNull();
			assertThat(restarted.rawGet(marker)).as("completeness marker on the restarted node").isNull();
			assertThat(RefillTesting.missingOn(restarted, keys())).as("entries the other peer held were copied")
				.isEmpty();
			assertThat(restarted.rawGet("lonely")).isNull();

			paused.resume();
			RefillTesting.awaitComplete(engine, restarted, restart);
		}
		finally {
			paused.resume();
		}
		assertThat(RefillTesting.refillOf(engine, restarted.address()).missingPeers()).isEmpty();
		assertThat(restarted.rawGet(marker)).isNotNull();
		assertThat(restarted.rawGet("lonely")).as("the entry only the paused peer held").isEqualTo(onlyOnPeer);
	}

	private static List<String> keys() {
		List<String> keys = new ArrayList<>();
		for (int i = 0; i < ENTRIES; i++) {
			keys.add("shared:" + i);
		}
		return keys;
	}

}
