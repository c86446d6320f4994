package io.memquorum.engine;

import java.time.Instant;
import java.util.List;

import io.memquorum.node.NodeAddress;
import org.jspecify.annotations.Nullable;

/**
 * Where this engine's node set stands: the nodes it places keys on, a change in progress
 * and the last changes.
 *
 * @param phase the phase of the change in progress, or {@link Phase#STABLE}
 * @param nodes the nodes of the placement (the new one during a change)
 * @param previousNodes during a change, the nodes of the placement before it; empty
 * otherwise
 * @param refilling during a change, the nodes of the new placement not yet filled for it
 * @param placements how many placements are in force: 1, or 2 during a change
 * @param changes how many changes started since the engine started
 * @param history the last changes, oldest first
 * @param otherNodeSets node sets other live application instances publish that differ
 * from this one's (while there is one, both placements stay in force)
 */
public record MembershipStatus(Phase phase, List<NodeAddress> nodes, List<NodeAddress> previousNodes,
		List<NodeAddress> refilling, int placements, long changes, List<Change> history,
		List<List<NodeAddress>> otherNodeSets) {

	public MembershipStatus {
		nodes = List.copyOf(nodes);
		previousNodes = List.copyOf(previousNodes);
		refilling = List.copyOf(refilling);
		history = List.copyOf(history);
		otherNodeSets = List.copyOf(otherNodeSets);
	}

	/** The phase of a change of the node set. */
	public enum Phase {

		/** One placement: no change in progress. */
		STABLE,

		/**
		 * Both placements are in force (joint), and the nodes of the new one are being
		 * filled from the owners under both.
		 */
		REFILLING,

		/**
		 * Both placements are still in force: every node is filled, and the engine waits
		 * out the settle period so that every other instance has seen the change, and for
		 * no live instance to publish a different node set.
		 */
		SETTLING

	}

	/**
	 * One change of the node set.
	 *
	 * @param added the nodes that joined
	 * @param removed the nodes that left
	 * @param startedAt when both placements came into force
	 * @param refilledAt when every node of the new placement was filled for it, or
	 * {@code null}
	 * @param finishedAt when the previous placement was dropped, or {@code null}
	 */
	public record Change(List<NodeAddress> added, List<NodeAddress> removed, Instant startedAt,
			@Nullable Instant refilledAt, @Nullable Instant finishedAt) {

		public Change {
			added = List.copyOf(added);
			removed = List.copyOf(removed);
		}

	}

}
