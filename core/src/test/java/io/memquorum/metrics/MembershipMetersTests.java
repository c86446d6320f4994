package io.memquorum.metrics;

import java.time.Duration;
import java.util.List;

import io.memquorum.engine.MembershipStatus;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.node.NodeAddress;
import io.memquorum.test.MemcachedCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code memquorum.membership.*} meters that docs/operations.md lists, against real
 * memcached: two placements and the refilling phase while a node joins, one placement and
 * one change counted once the change finished.
 */
class MembershipMetersTests {

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	@Test
	void aNodeJoiningShowsTwoPlacementsUntilTheChangeFinishesAndCountsOneChange() {
		try (MemcachedCluster cluster = MemcachedCluster.start(3);
				ReplicatedMemcached engine = ReplicatedMemcached.builder()
					.servers(cluster.addresses().subList(0, 2))
					.operationTimeout(Duration.ofMillis(500))
					.refillCheckInterval(Duration.ofMillis(300))
					.membershipSettle(Duration.ofSeconds(2))
					.metrics(new MicrometerEngineMetrics(this.registry))
					.build()) {
			assertThat(gauge("memquorum.membership.placements")).isEqualTo(1.0);
			assertThat(this.registry.get("memquorum.membership.changes").functionCounter().count()).isZero();
			engine.updateNodes(cluster.addresses().stream().map(NodeAddress::parse).toList());
			await().atMost(Duration.ofSeconds(10)).until(() -> gauge("memquorum.membership.placements") == 2.0);
			assertThat(this.registry.get("memquorum.membership.phase").tag("phase", "stable").gauge().value()).isZero();
			await().atMost(Duration.ofSeconds(30))
				.until(() -> engine.membership().phase() == MembershipStatus.Phase.STABLE);
			assertThat(gauge("memquorum.membership.placements")).isEqualTo(1.0);
			assertThat(gauge("memquorum.membership.nodes")).isEqualTo(3.0);
			assertThat(this.registry.get("memquorum.membership.changes").functionCounter().count()).isEqualTo(1.0);
			assertThat(
					this.registry.get("memquorum.refill.phase").meters().stream().map((m) -> m.getId().getTag("node")))
				.as("the joining node's refill is followed too")
				.contains(cluster.addresses().get(2));
			List<MembershipStatus.Change> history = engine.membership().history();
			assertThat(history).singleElement().satisfies((change) -> {
				assertThat(change.added()).map(NodeAddress::toString).containsExactly(cluster.addresses().get(2));
				assertThat(change.refilledAt()).isNotNull();
				assertThat(change.finishedAt()).isAfterOrEqualTo(change.startedAt().plusSeconds(2));
			});
		}
	}

	private double gauge(String name) {
		return this.registry.get(name).gauge().value();
	}

}
