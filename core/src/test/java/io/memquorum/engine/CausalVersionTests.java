package io.memquorum.engine;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.memquorum.test.MemcachedClusterExtension;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Versions follow causality across application instances whose clocks disagree, and
 * entries combine by the merge registered for their key prefix.
 */
class CausalVersionTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	@RegisterExtension
	final TestEngines engines = new TestEngines(memcached, (builder) -> builder);

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static @Nullable Envelope replica(int node, String key) {
		byte[] bytes = memcached.cluster().node(node).rawGet(key);
		return (bytes != null) ? Envelope.decode(Envelope.FLAGS, bytes) : null;
	}

	@Test
	void aDeleteFromAnInstanceWhoseClockIsASecondBehindBeatsTheValueItRead() {
		ReplicatedMemcached fast = this.engines.open((builder) -> builder.readConsistency(ReadConsistency.MAJORITY)
			.wallClock(() -> System.currentTimeMillis() + 1000));
		ReplicatedMemcached slow = this.engines.open(ReadConsistency.MAJORITY);
		fast.set("cart", bytes("full"), Duration.ofMinutes(5));
		await().until(() -> replica(2, "cart") != null);
		byte[] value = memcached.cluster().node(2).rawGet("cart");
		assertThat(slow.get("cart")).isNotNull();
		slow.delete("cart");
		await().untilAsserted(() -> {
			for (int node = 0; node < 3; node++) {
				assertThat(replica(node, "cart").isTombstone()).as("node %d", node).isTrue();
			}
		});
		// The third node holds the value again, as if it had missed the delete, and the
		// first dies: every majority now pairs the delete with the value.
		memcached.cluster().node(2).rawSet("cart", value, Envelope.FLAGS, 300);
		memcached.cluster().node(0).kill();
		// Without causality the value, written a second "later" by the fast clock, would
		// win the comparison and be repaired over the tombstone.
		for (int i = 0; i < 3; i++) {
			assertThat(fast.get("cart")).isNull();
		}
		assertThat(replica(1, "cart").isTombstone()).isTrue();
		await().untilAsserted(() -> assertThat(replica(2, "cart").isTombstone()).isTrue());
	}

	@Test
	void aMajorityReadAndItsRepairCombineCopiesByTheRegisteredMerge() {
		ReplicatedMemcached engine = this.engines.open(ReadConsistency.MAJORITY);
		engine.mergeUnder("set:", TestEngines::unionOfLetters);
		engine.set("set:letters", bytes("ab"), Duration.ZERO);
		await().until(() -> replica(2, "set:letters") != null);
		// Each replica learns something the others do not, written behind the engine.
		for (int node = 0; node < 3; node++) {
			Envelope copy = Envelope.value(node + 1, 0, bytes("ab" + (char) ('x' + node)));
			memcached.cluster().node(node).rawSet("set:letters", copy.encode(), Envelope.FLAGS, 0);
		}
		assertThat(new String(engine.get("set:letters"), StandardCharsets.UTF_8)).matches("ab[xyz]{2,3}");
		await().untilAsserted(() -> {
			for (int node = 0; node < 3; node++) {
				assertThat(new String(replica(node, "set:letters").payload(), StandardCharsets.UTF_8))
					.as("node %d", node)
					.matches("ab[xyz]{2,3}");
			}
		});
		// Keys outside the prefix keep the newest version.
		engine.set("plain", bytes("old"), Duration.ZERO);
		await().until(() -> replica(2, "plain") != null);
		memcached.cluster()
			.node(0)
			.rawSet("plain", Envelope.value(Long.MAX_VALUE - 1, 0, bytes("newest")).encode(), Envelope.FLAGS, 0);
		await().untilAsserted(
				() -> assertThat(new String(engine.get("plain"), StandardCharsets.UTF_8)).isEqualTo("newest"));
	}

}
