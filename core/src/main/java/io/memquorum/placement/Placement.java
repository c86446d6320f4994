package io.memquorum.placement;

import java.util.List;

import io.memquorum.node.NodeAddress;

/**
 * Decides which nodes hold a key's replicas. A placement is a pure function of the
 * configured node list and the key: it never looks at node health, so a node that fails
 * never makes a key move to another node.
 */
public interface Placement {

	/**
	 * The replicas of a key, in a stable order.
	 * @param key the memcached key
	 * @return exactly {@link #replicationFactor()} distinct nodes
	 */
	List<NodeAddress> replicasFor(String key);

	/**
	 * How many replicas every key has.
	 * @return the replication factor
	 */
	int replicationFactor();

	/**
	 * Every configured node.
	 * @return the nodes
	 */
	List<NodeAddress> nodes();

	/**
	 * The placement that fits the settings: every node holds every key when the
	 * replication factor equals the node count, and a consistent-hash ring picks the
	 * replicas otherwise.
	 * @param nodes the configured nodes
	 * @param replicationFactor the number of replicas per key
	 * @return the placement
	 */
	static Placement of(List<NodeAddress> nodes, int replicationFactor) {
		if (replicationFactor == nodes.size()) {
			return new AllNodesPlacement(nodes);
		}
		return new ConsistentHashPlacement(nodes, replicationFactor, ConsistentHashPlacement.DEFAULT_VIRTUAL_NODES);
	}

}
