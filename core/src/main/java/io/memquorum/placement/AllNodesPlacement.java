package io.memquorum.placement;

import java.util.List;

import io.memquorum.node.NodeAddress;

/**
 * Every node holds every key: the classic replicated pool, and the default.
 */
public final class AllNodesPlacement implements Placement {

	private final List<NodeAddress> nodes;

	public AllNodesPlacement(List<NodeAddress> nodes) {
		if (nodes.isEmpty()) {
			throw new IllegalArgumentException("At least one memcached node is required");
		}
		if (nodes.stream().distinct().count() != nodes.size()) {
			throw new IllegalArgumentException("Memcached nodes must be distinct, got " + nodes);
		}
		this.nodes = List.copyOf(nodes);
	}

	@Override
	public List<NodeAddress> replicasFor(String key) {
		return this.nodes;
	}

	@Override
	public int replicationFactor() {
		return this.nodes.size();
	}

	@Override
	public List<NodeAddress> nodes() {
		return this.nodes;
	}

	@Override
	public String toString() {
		return "AllNodesPlacement" + this.nodes;
	}

}
