package io.memquorum.engine;

import java.time.Duration;

import io.memquorum.refill.RefillTesting;
import io.memquorum.test.MemcachedClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.memquorum.refill.RefillTesting.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Restart empty, two nodes one after the other, the first not yet refilled when the
 * second goes: a MAJORITY read must not let the two empty nodes outvote the third, which
 * still holds every key. A rolling restart that outpaces refill logs nobody out.
 */
class RestartedNodesMajorityReadTests {

	private static final int KEYS = 60;

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	@RegisterExtension
	final TestEngines engines = new TestEngines(memcached, RefillTesting::fast);

	@Test
	void twoNodesRestartedEmptyBeforeTheirRefillDoNotOutvoteTheNodeThatHoldsTheKeys() {
		ReplicatedMemcached engine = engineWithKeysOnEveryNode();
		restartEmptyAndAwaitReadable(engine, 0);
		restartEmptyAndAwaitReadable(engine, 1);

		for (int i = 0; i < KEYS; i++) {
			assertThat(engine.get("user-" + i)).as("user-%d", i).isEqualTo(bytes("logged-in"));
		}
	}

	@Test
	void aNodeRestartedEmptyAndAnotherPausedLeaveTheReadToTheNodeThatHoldsTheKeys() {
		ReplicatedMemcached engine = engineWithKeysOnEveryNode();
		restartEmptyAndAwaitReadable(engine, 0);
		// The first reads time out on the paused node after the two others answered,
		// later ones skip it once it is marked down: either way the empty node's misses
		// alone decide nothing.
		memcached.cluster().node(1).pause();

		for (int i = 0; i < KEYS; i++) {
			assertThat(engine.get("user-" + i)).as("user-%d", i).isEqualTo(bytes("logged-in"));
		}
	}

	/**
	 * Restart a node empty and wait until the engine found it restarted and reads from it
	 * again.
	 */
	/**
	 * MAJORITY reads, every key written to every node, and no refill: no restarted node
	 * becomes complete while the keys are read.
	 */
	private ReplicatedMemcached engineWithKeysOnEveryNode() {
		ReplicatedMemcached engine = this.engines.open((builder) -> builder.readConsistency(ReadConsistency.MAJORITY)
			.writeQuorum(WriteQuorum.ALL)
			.refillEnabled(false));
		for (int i = 0; i < KEYS; i++) {
			engine.set("user-" + i, bytes("logged-in"), Duration.ZERO);
		}
		return engine;
	}

	private static void restartEmptyAndAwaitReadable(ReplicatedMemcached engine, int index) {
		memcached.cluster().node(index).restartEmpty();
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			NodeStatus status = TestEngines.status(engine, index);
			assertThat(status.restarts()).isPositive();
			assertThat(status.readable()).isTrue();
		});
	}

}
