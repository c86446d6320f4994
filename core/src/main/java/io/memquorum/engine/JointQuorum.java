package io.memquorum.engine;

import java.util.Collection;
import java.util.List;

import io.memquorum.node.NodeAddress;

/**
 * The quorum a write of one key must reach in one view of the node set: a write quorum of
 * the key's owners, and during a change also a write quorum of its old owners
 * ({@link Membership#quorumGroups}). With one group it is the plain write quorum.
 */
final class JointQuorum {

	private final List<List<NodeAddress>> groups;

	private final int[] required;

	JointQuorum(List<List<NodeAddress>> groups, WriteQuorum quorum) {
		this.groups = groups;
		this.required = new int[groups.size()];
		for (int i = 0; i < groups.size(); i++) {
			this.required[i] = quorum.required(groups.get(i).size());
		}
	}

	/** The acknowledgements the key's owners (the new placement's) need. */
	int required() {
		return this.required[0];
	}

	/** Whether every group has at least its quorum among {@code nodes}. */
	boolean reachedBy(Collection<Node> nodes) {
		for (int i = 0; i < this.groups.size(); i++) {
			if (count(this.groups.get(i), nodes) < this.required[i]) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Whether some group can no longer reach its quorum: more of its members failed than
	 * it can spare.
	 */
	boolean lostBy(Collection<Node> failed) {
		for (int i = 0; i < this.groups.size(); i++) {
			List<NodeAddress> group = this.groups.get(i);
			if (count(group, failed) > group.size() - this.required[i]) {
				return true;
			}
		}
		return false;
	}

	private static int count(List<NodeAddress> group, Collection<Node> nodes) {
		int count = 0;
		for (Node node : nodes) {
			if (group.contains(node.address)) {
				count++;
			}
		}
		return count;
	}

}
