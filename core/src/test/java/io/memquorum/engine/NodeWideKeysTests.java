package io.memquorum.engine;

import java.time.Duration;
import java.util.List;

import io.memquorum.node.NodeAddress;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.memquorum.engine.TestEngines.bytes;
import static io.memquorum.engine.TestEngines.envelopeOn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Node-wide keys on three real memcached nodes, with one replica per ordinary key, so
 * that "every node" and "the key's replicas" differ.
 */
class NodeWideKeysTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	@RegisterExtension
	final TestEngines engines = new TestEngines(memcached, TestEngines.quickToNoticeFailures(Duration.ofMillis(300))
		.andThen((builder) -> builder.replicationFactor(1))::apply);

	@Test
	void aWriteIsOnEveryNodeWhenItReturnsWhateverTheReplicationFactor() {
		ReplicatedMemcached engine = this.engines.open((builder) -> builder);
		for (int i = 0; i < 5; i++) {
			byte[] value = bytes("g" + i);
			engine.nodeWide().set("generation", value);
			// No waiting: the write returns once every node has answered.
			for (MemcachedNode node : memcached.cluster().nodes()) {
				Envelope stored = envelopeOn(node, "generation");
				assertThat(stored).isNotNull();
				assertThat(stored.payload()).isEqualTo(value);
			}
		}
	}

	@Test
	void aKeyIsReadTogetherWithTheNodeWideKeyOfTheSameReplica() {
		ReplicatedMemcached engine = this.engines.open((builder) -> builder);
		engine.set("entry", bytes("value"), Duration.ZERO);
		engine.nodeWide().set("generation", bytes("everywhere"));
		NodeAddress replica = engine.placement().replicasFor("entry").get(0);
		// Every other node holds a different node-wide value: only the replica's may be
		// read with the entry.
		for (MemcachedNode node : memcached.cluster().nodes()) {
			if (!node.address().equals(replica.toString())) {
				node.rawSet("generation", Envelope.value(Long.MAX_VALUE, 0, bytes("elsewhere")).encode(),
						Envelope.FLAGS, 0);
			}
		}
		for (int i = 0; i < 10; i++) {
			ValueWithCompanion found = engine.nodeWide().getWithAsync("entry", "generation").join();
			assertThat(found.value()).isEqualTo(bytes("value"));
			assertThat(found.companion()).isEqualTo(bytes("everywhere"));
			assertThat(found.sameReplica()).isTrue();
		}
	}

	@Test
	void aReadTakesTheNewestOfAMajorityAndRepairsANodeThatRestartedEmpty() {
		ReplicatedMemcached engine = this.engines.open((builder) -> builder);
		engine.nodeWide().set("generation", bytes("g"));
		MemcachedNode restarted = memcached.cluster().node(1);
		restarted.restartEmpty();
		// Every read answers with the value; once the node serves reads again, one of
		// them repairs it.
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			assertThat(engine.nodeWide().get("generation")).isEqualTo(bytes("g"));
			assertThat(envelopeOn(restarted, "generation")).isNotNull();
		});
	}

	@Test
	void anAddStoresOnlyWhereNothingIsAndSaysWhetherAMajorityTookIt() {
		ReplicatedMemcached engine = this.engines.open((builder) -> builder);
		assertThat(engine.nodeWide().add("generation", bytes("first"))).isTrue();
		assertThat(engine.nodeWide().add("generation", bytes("second"))).isFalse();
		List<MemcachedNode> nodes = memcached.cluster().nodes();
		assertThat(nodes)
			.allSatisfy((node) -> assertThat(envelopeOn(node, "generation").payload()).isEqualTo(bytes("first")));
	}

}
