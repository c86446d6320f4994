package io.memquorum.engine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.memquorum.node.NodeAddress;
import io.memquorum.placement.Placement;
import org.jspecify.annotations.Nullable;

/**
 * One immutable view of the node set: the nodes this engine is connected to and the
 * placements in force. Every operation takes the engine's current view once, at its
 * start, and uses that view to its end; a change of the node set swaps in a new view
 * ({@link MembershipChanges}), never edits one.
 *
 * <h2>Consistency</h2> With one placement everything is as the engine's contract says.
 * While a change is in progress there are two, the {@link #previous} placement and the
 * new {@link #placement} (joint configuration, as in Raft's joint consensus):
 * <ul>
 * <li>a key's replicas are the union of its old and new owners ({@link #replicas}), new
 * owners first;</li>
 * <li>a write succeeds only when a write quorum of the old owners <em>and</em> a write
 * quorum of the new owners acknowledged ({@link #quorumGroups}), so that a read of either
 * majority meets it;</li>
 * <li>reads walk the union; a MAJORITY read waits for conclusive answers from a majority
 * of each group, where a node that gains keys in the change counts only once refill has
 * filled it ({@link Node#mayLackEntries()}).</li>
 * </ul>
 * Nodes that only the previous placement names stay connected until the change is
 * finished, so that a write in flight still reaches them.
 */
final class Membership {

	final Map<NodeAddress, Node> nodes;

	final Placement placement;

	final @Nullable Placement previous;

	Membership(Map<NodeAddress, Node> nodes, Placement placement, @Nullable Placement previous) {
		this.nodes = Collections.unmodifiableMap(new LinkedHashMap<>(nodes));
		this.placement = placement;
		this.previous = previous;
	}

	/** Whether a change is in progress: two placements are in force. */
	boolean isJoint() {
		return this.previous != null;
	}

	/** How many placements are in force: 1, or 2 during a change. */
	int placementCount() {
		return (this.previous != null) ? 2 : 1;
	}

	Collection<Node> allNodes() {
		return this.nodes.values();
	}

	@Nullable Node node(NodeAddress address) {
		return this.nodes.get(address);
	}

	/**
	 * The replicas of a key: its owners in the placement, and during a change also its
	 * owners in the previous placement that the new one dropped, after them.
	 * @param encoded the memcached key
	 * @return a fresh, modifiable list
	 */
	List<Node> replicas(String encoded) {
		List<NodeAddress> owners = this.placement.replicasFor(encoded);
		List<Node> replicas = new ArrayList<>(owners.size() + 1);
		for (NodeAddress address : owners) {
			replicas.add(this.nodes.get(address));
		}
		if (this.previous != null) {
			for (NodeAddress address : this.previous.replicasFor(encoded)) {
				if (!owners.contains(address)) {
					replicas.add(this.nodes.get(address));
				}
			}
		}
		return replicas;
	}

	/**
	 * The groups a write must reach a quorum of: the key's owners, and during a change
	 * its old owners too.
	 * @param encoded the memcached key
	 * @return one or two groups, the new placement's first
	 */
	List<List<NodeAddress>> quorumGroups(String encoded) {
		List<NodeAddress> owners = this.placement.replicasFor(encoded);
		if (this.previous == null) {
			return List.of(owners);
		}
		return List.of(owners, this.previous.replicasFor(encoded));
	}

	/** The replication factor of the placement (the new one during a change). */
	int replicationFactor() {
		return this.placement.replicationFactor();
	}

	@Override
	public String toString() {
		return (this.previous != null) ? "Membership[" + this.previous.nodes() + " -> " + this.placement.nodes() + "]"
				: "Membership" + this.placement.nodes();
	}

}
