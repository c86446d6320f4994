package io.memquorum.engine;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.memquorum.node.NodeAddress;
import io.memquorum.test.MemcachedCluster;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Fault: partition, the two nodes that join a three-node set are unreachable (nothing
 * listens on their ports). What must hold during the change: a write is acknowledged only
 * when a quorum of the key's old owners and a quorum of its new owners stored it, so a
 * key whose new owners are mostly the unreachable nodes cannot be written (with the old
 * rule, the three reachable old owners would acknowledge every write); keys with a
 * reachable quorum in both groups are written and read back; and the change does not
 * finish while the joining nodes cannot be filled. Real memcached.
 */
class JointQuorumWritesTests {

	@Test
	void duringAChangeAWriteNeedsAQuorumOfTheOldAndOfTheNewOwners() {
		try (MemcachedCluster cluster = MemcachedCluster.start(3);
				ReplicatedMemcached engine = ReplicatedMemcached.builder()
					.servers(cluster.addresses())
					.replicationFactor(3)
					.operationTimeout(Duration.ofMillis(300))
					.connectTimeout(Duration.ofMillis(300))
					.refillCheckInterval(Duration.ofMillis(300))
					.membershipSettle(Duration.ofSeconds(1))
					.build()) {
			List<NodeAddress> nodes = new ArrayList<>(cluster.addresses().stream().map(NodeAddress::parse).toList());
			NodeAddress unreachableA = new NodeAddress("127.0.0.1", 1);
			NodeAddress unreachableB = new NodeAddress("127.0.0.1", 2);
			nodes.add(unreachableA);
			nodes.add(unreachableB);
			engine.updateNodes(nodes);
			await().atMost(Duration.ofSeconds(10)).until(() -> engine.membership().placements() == 2);
			int refused = 0;
			int written = 0;
			for (int i = 0; i < 60; i++) {
				String key = "joint-" + i;
				List<NodeAddress> owners = engine.placement().replicasFor(engine.keyEncoder().encode(key));
				boolean newQuorumReachable = owners.stream()
					.filter((owner) -> !owner.equals(unreachableA) && !owner.equals(unreachableB))
					.count() >= 2;
				byte[] value = key.getBytes(StandardCharsets.UTF_8);
				if (newQuorumReachable) {
					engine.set(key, value, Duration.ofMinutes(5));
					assertThat(engine.get(key)).isEqualTo(value);
					written++;
				}
				else {
					assertThatExceptionOfType(QuorumNotReachedException.class)
						.isThrownBy(() -> engine.set(key, value, Duration.ofMinutes(5)));
					refused++;
				}
			}
			assertThat(refused).as("keys whose new owners are both unreachable nodes and one other").isPositive();
			assertThat(written).isPositive();
			assertThat(engine.membership().phase()).isEqualTo(MembershipStatus.Phase.REFILLING);
			assertThat(engine.membership().refilling()).contains(unreachableA, unreachableB);
		}
	}

}
