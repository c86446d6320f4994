package io.memquorum.engine;

import java.util.List;

/**
 * Read repair. Implements the contract's "Repair" clause: a replica that answered a read
 * with nothing or an older version gets the newest envelope, only where it still holds
 * nothing or something older (compare-and-swap), with the entry's remaining lifetime, so
 * a repair never overwrites something newer and never extends a lifetime.
 */
final class Repair {

	private final EngineState state;

	private final ConditionalWrite conditional;

	Repair(EngineState state, ConditionalWrite conditional) {
		this.state = state;
		this.conditional = conditional;
	}

	void repair(List<Node> stale, String encoded, Envelope newest) {
		for (Node node : stale) {
			if (!node.isWritable()) {
				continue;
			}
			this.conditional.writeIfNewer(node, encoded, newest).whenComplete((stored, failure) -> {
				if (failure == null && stored != null) {
					this.state.metrics.readRepair(node.address);
				}
			});
		}
	}

}
