package io.memquorum.discovery;

import java.time.Instant;
import java.util.List;

/**
 * One change of the resolved node set.
 *
 * @param at when the round that saw it ended
 * @param added the nodes that appeared
 * @param removed the nodes that disappeared
 * @param nodes the whole set after the change
 */
public record NodeSetChange(Instant at, List<String> added, List<String> removed, List<String> nodes) {

	public NodeSetChange {
		added = List.copyOf(added);
		removed = List.copyOf(removed);
		nodes = List.copyOf(nodes);
	}

	@Override
	public String toString() {
		return "added " + this.added + ", removed " + this.removed + " at " + this.at + ", now " + this.nodes;
	}

}
