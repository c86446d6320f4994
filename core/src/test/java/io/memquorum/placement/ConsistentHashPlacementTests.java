package io.memquorum.placement;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.memquorum.node.NodeAddress;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ConsistentHashPlacementTests {

	private static final int KEYS = 100_000;

	private static List<NodeAddress> nodes(int count) {
		return IntStream.range(0, count).mapToObj((i) -> new NodeAddress("10.0.0." + (i + 1), 11211)).toList();
	}

	@Test
	void twelveNodesWithThreeReplicasCarryLoadWithinTenPercentOfTheMean() {
		Placement placement = new ConsistentHashPlacement(nodes(12), 3, ConsistentHashPlacement.DEFAULT_VIRTUAL_NODES);
		Map<NodeAddress, Integer> load = new HashMap<>();
		for (int i = 0; i < KEYS; i++) {
			List<NodeAddress> replicas = placement.replicasFor("key:" + i);
			assertThat(new HashSet<>(replicas)).hasSize(3);
			replicas.forEach((node) -> load.merge(node, 1, Integer::sum));
		}
		double mean = KEYS * 3 / 12.0;
		assertThat(load).hasSize(12);
		load.forEach((node, count) -> assertThat(Math.abs(count - mean) / mean)
			.as("load of %s: %d against mean %.0f", node, count, mean)
			.isLessThan(0.10));
	}

	@Test
	void addingAThirteenthNodeChangesAboutRInThirteenReplicaSetsAndNoMore() {
		List<NodeAddress> twelve = nodes(12);
		List<NodeAddress> thirteen = new ArrayList<>(twelve);
		NodeAddress added = new NodeAddress("10.0.0.13", 11211);
		thirteen.add(added);
		Placement before = new ConsistentHashPlacement(twelve, 3, ConsistentHashPlacement.DEFAULT_VIRTUAL_NODES);
		Placement after = new ConsistentHashPlacement(thirteen, 3, ConsistentHashPlacement.DEFAULT_VIRTUAL_NODES);
		int changed = 0;
		for (int i = 0; i < KEYS; i++) {
			List<NodeAddress> old = before.replicasFor("key:" + i);
			List<NodeAddress> now = after.replicasFor("key:" + i);
			if (!new HashSet<>(old).equals(new HashSet<>(now))) {
				changed++;
				// Only the new node may enter a set, displacing exactly one old member.
				assertThat(now).contains(added);
				assertThat(new HashSet<>(old)).containsAll(now.stream().filter((n) -> !n.equals(added)).toList());
			}
		}
		double expected = 3.0 / 13;
		double fraction = changed / (double) KEYS;
		assertThat(fraction).as("fraction of replica sets changed").isBetween(expected * 0.85, expected * 1.15);
	}

	@Test
	void removingOneOfFiveNodesChangesOnlyTheReplicaSetsItLeaves() {
		List<NodeAddress> five = nodes(5);
		NodeAddress removed = five.get(4);
		Placement before = new ConsistentHashPlacement(five, 3, ConsistentHashPlacement.DEFAULT_VIRTUAL_NODES);
		Placement after = new ConsistentHashPlacement(five.subList(0, 4), 3,
				ConsistentHashPlacement.DEFAULT_VIRTUAL_NODES);
		int moved = 0;
		for (int i = 0; i < KEYS; i++) {
			List<NodeAddress> old = before.replicasFor("key:" + i);
			List<NodeAddress> now = after.replicasFor("key:" + i);
			if (!old.contains(removed)) {
				assertThat(new HashSet<>(now)).as("replicas of key:%d", i).isEqualTo(new HashSet<>(old));
				continue;
			}
			moved++;
			// The two members that stay keep the key; one other node takes the leaver's
			// place.
			assertThat(now).containsAll(old.stream().filter((n) -> !n.equals(removed)).toList());
		}
		double expected = 3.0 / 5;
		assertThat(moved / (double) KEYS).as("fraction of replica sets changed")
			.isBetween(expected * 0.85, expected * 1.15);
	}

	@Test
	void placementDoesNotDependOnTheOrderNodesAreListed() {
		List<NodeAddress> nodes = nodes(5);
		List<NodeAddress> reversed = new ArrayList<>(nodes);
		java.util.Collections.reverse(reversed);
		Placement a = new ConsistentHashPlacement(nodes, 2, 160);
		Placement b = new ConsistentHashPlacement(reversed, 2, 160);
		for (int i = 0; i < 1000; i++) {
			assertThat(new HashSet<>(a.replicasFor("k" + i))).isEqualTo(new HashSet<>(b.replicasFor("k" + i)));
		}
	}

	@Test
	void replicationFactorAboveNodeCountIsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> new ConsistentHashPlacement(nodes(3), 4, 160))
			.withMessage("Replication factor must be between 1 and the number of nodes (3), got 4");
	}

	@Test
	void allNodesPlacementIsChosenWhenEveryNodeIsAReplica() {
		assertThat(Placement.of(nodes(3), 3)).isInstanceOf(AllNodesPlacement.class);
		assertThat(Placement.of(nodes(3), 2)).isInstanceOf(ConsistentHashPlacement.class);
	}

}
