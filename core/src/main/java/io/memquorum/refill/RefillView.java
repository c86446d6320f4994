package io.memquorum.refill;

import java.util.Map;

import io.memquorum.node.NodeAddress;
import io.memquorum.placement.Placement;
import org.jspecify.annotations.Nullable;

/**
 * What refill works on, taken once per check.
 *
 * @param nodes every node: those to fill and those to list
 * @param placement the placement to fill for
 * @param previous the placement before a change in progress, or {@code null}
 * @param fingerprint what a complete node's marker must list: the change's fingerprint
 * during a change ({@link RefillMarker#transition}), the placement's otherwise
 * @param settledFingerprint the placement's own fingerprint
 */
record RefillView(Map<NodeAddress, ? extends RefillNode> nodes, Placement placement, @Nullable Placement previous,
		String fingerprint, String settledFingerprint) {

	RefillView(Map<NodeAddress, ? extends RefillNode> nodes, Placement placement, @Nullable Placement previous) {
		this(nodes, placement, previous,
				(previous != null) ? RefillMarker.transition(previous, placement) : RefillMarker.fingerprint(placement),
				RefillMarker.fingerprint(placement));
	}

}
