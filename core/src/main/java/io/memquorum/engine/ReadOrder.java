package io.memquorum.engine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

import io.memquorum.node.NodeAddress;

/**
 * Which replicas a read asks, and in what order. Implements the contract's "Reads"
 * clauses, over the replicas of the current {@link Membership} (during a change, the old
 * owners and the new): a read skips replicas that are down, recovering or owe missed
 * writes (reporting why), and a FIRST_HIT walk asks the rest in a fresh uniform shuffle,
 * with replicas that may lack entries (not yet refilled) behind the others and the
 * replicas still applying a conditional write of the key last.
 */
final class ReadOrder {

	private final EngineState state;

	/**
	 * Replicas still applying a compare-and-swap write that already reached its quorum,
	 * by memcached key. A plain set or delete needs no entry: it is queued on the node's
	 * connection ahead of any later read, and memcached answers one connection in order.
	 * A conditional write takes two round trips, so a read sent meanwhile could see the
	 * old value; FIRST_HIT reads ask these replicas last. Each replica carries the number
	 * of such writes it is still applying: concurrent writes of one key share the entry,
	 * and one finishing must not clear a replica that another is still writing.
	 */
	private final ConcurrentHashMap<String, Map<Node, Integer>> laggards = new ConcurrentHashMap<>();

	/**
	 * Whether refill runs: only then are replicas that may lack entries asked last.
	 * Without refill, only the read repair of a FIRST_HIT miss puts entries back on them.
	 */
	private final boolean refilled;

	ReadOrder(EngineState state, boolean refilled) {
		this.state = state;
		this.refilled = refilled;
	}

	/**
	 * The replicas of a key that may serve reads, in placement order.
	 * @param encoded the memcached key
	 * @param skipped receives each replica left out, with the reason
	 * @return the readable replicas
	 */
	List<Node> readable(String encoded, Map<NodeAddress, String> skipped) {
		return replicasWhere(this.state.membership(), encoded, skipped, (node) -> node.isReadable(encoded));
	}

	/**
	 * The replicas a MAJORITY read asks: the readable ones, or for a key with its own
	 * merge every one that is up, owing hints or not. Such a read merges every answer of
	 * a majority, and a majority meets the quorum of every write that succeeded, so a
	 * replica that missed a write cannot hide it; it only adds an older copy to the
	 * merge, and is repaired. Asking it matters twice: when every replica owes a hint for
	 * a session (saves that raced on each), none would be readable otherwise; and the
	 * next save then starts from what it holds instead of reading it again.
	 * @param encoded the memcached key
	 * @param skipped receives each replica left out, with the reason
	 * @return the replicas to ask
	 */
	List<Node> forMajorityRead(Membership membership, String encoded, Map<NodeAddress, String> skipped) {
		if (this.state.merges.registeredFor(encoded) == null) {
			return replicasWhere(membership, encoded, skipped, (node) -> node.isReadable(encoded));
		}
		return replicasWhere(membership, encoded, skipped, (node) -> node.state() == NodeState.UP);
	}

	private List<Node> replicasWhere(Membership membership, String encoded, Map<NodeAddress, String> skipped,
			Predicate<Node> usable) {
		// A fresh list per call: filtered in place, no second copy on the read path.
		List<Node> replicas = membership.replicas(encoded);
		for (Iterator<Node> nodes = replicas.iterator(); nodes.hasNext();) {
			Node node = nodes.next();
			if (!usable.test(node)) {
				skipped.put(node.address, describeUnreadable(node));
				nodes.remove();
			}
		}
		return replicas;
	}

	/**
	 * The order of a FIRST_HIT walk: readable replicas in a fresh shuffle, those that may
	 * lack entries behind the others, and those still applying a conditional write of
	 * this key last.
	 */
	List<Node> firstHitOrder(String encoded, Map<NodeAddress, String> skipped) {
		List<Node> order = readable(encoded, skipped);
		shuffle(order);
		if (this.refilled) {
			lastWhere(order, Node::mayLackEntries);
		}
		if (!this.laggards.isEmpty()) {
			Map<Node, Integer> lagging = this.laggards.get(encoded);
			if (lagging != null) {
				List<Node> last = new ArrayList<>(order.size());
				order.removeIf((node) -> lagging.containsKey(node) && last.add(node));
				order.addAll(last);
			}
		}
		return order;
	}

	/**
	 * Move the replicas that may lack entries (restarted or flushed, not yet refilled)
	 * behind the others, keeping the shuffle within each group: such a replica misses
	 * most keys until refilled, and a miss first costs the read a second round trip.
	 * Nothing is lost by asking it last: refill copies every entry it lacks, so the read
	 * repair a miss on it would have triggered is not needed.
	 */
	private static void lastWhere(List<Node> order, Predicate<Node> last) {
		int moved = 0;
		for (int i = 0; i < order.size() - moved;) {
			if (last.test(order.get(i))) {
				order.add(order.remove(i));
				moved++;
			}
			else {
				i++;
			}
		}
	}

	/**
	 * A conditional write of {@code encoded} reached its quorum before these replicas.
	 */
	void lagging(String encoded, Collection<Node> unsettled) {
		this.laggards.compute(encoded, (key, counts) -> {
			Map<Node, Integer> updated = (counts != null) ? counts : new ConcurrentHashMap<>();
			unsettled.forEach((node) -> updated.merge(node, 1, Integer::sum));
			return updated;
		});
	}

	/** One conditional write of {@code encoded} settled on {@code node}. */
	void caughtUp(String encoded, Node node) {
		this.laggards.computeIfPresent(encoded, (key, counts) -> {
			counts.computeIfPresent(node, (ignored, count) -> (count > 1) ? count - 1 : null);
			return counts.isEmpty() ? null : counts;
		});
	}

	private static String describeUnreadable(Node node) {
		return switch (node.state()) {
			case DOWN -> "is marked down";
			case RECOVERING -> "is recovering";
			case UP -> node.hints.isOverflowed() ? "missed more writes than its hints hold, until verified"
					: "missed a write of this key, not yet replayed (" + node.hints.size() + " to replay)";
		};
	}

	private static void shuffle(List<Node> nodes) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		for (int i = nodes.size() - 1; i > 0; i--) {
			Collections.swap(nodes, i, random.nextInt(i + 1));
		}
	}

}
