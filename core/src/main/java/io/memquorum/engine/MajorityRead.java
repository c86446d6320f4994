package io.memquorum.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.memquorum.node.NodeAddress;
import org.jspecify.annotations.Nullable;

/**
 * A MAJORITY read of one key. Implements the contract's "Reads, MAJORITY" clause: every
 * readable replica is asked at once; after a majority of answers the newest version wins,
 * and replicas that answered with an older version or nothing are repaired, including
 * those that answer after the decision. A miss from a node that may lack entries
 * ({@link Node#mayLackEntries()}: restarted or flushed, and not yet refilled) does not
 * count toward that majority: the read waits for the other replicas, so that two nodes
 * restarted one after the other cannot outvote the one that still holds the key.
 *
 * <p>
 * During a change of the node set ({@link Membership#isJoint()}) the read asks the old
 * and the new owners, and the majority above is needed in each group: a write that
 * succeeded reached a majority of the old owners (an instance that has not seen the
 * change yet) or of the new ones (an instance that finished it), or both.
 */
final class MajorityRead {

	private final EngineState state;

	private final Repair repair;

	private final String key;

	private final String encoded;

	private final Map<NodeAddress, String> failures = new LinkedHashMap<>();

	private final List<Node> readable;

	private final Map<Node, @Nullable Envelope> answers = new LinkedHashMap<>();

	private final int required;

	/** The owners a majority is needed of: one group, or two during a change. */
	private final List<List<NodeAddress>> groups;

	private final CompletableFuture<@Nullable Envelope> result = new CompletableFuture<>();

	private @Nullable Envelope newest;

	/**
	 * Nodes whose answers count toward the majority: values, tombstones, and misses of
	 * complete nodes.
	 */
	private final List<Node> conclusive = new ArrayList<>();

	private final ReadStamp stamp;

	MajorityRead(EngineState state, ReadOrder readOrder, Repair repair, String key, String encoded) {
		this(state, readOrder, repair, key, encoded, ReadStamp.NONE);
	}

	MajorityRead(EngineState state, ReadOrder readOrder, Repair repair, String key, String encoded, ReadStamp stamp) {
		this.stamp = stamp;
		this.state = state;
		this.repair = repair;
		this.key = key;
		this.encoded = encoded;
		Membership membership = state.membership();
		this.readable = readOrder.forMajorityRead(membership, encoded, this.failures);
		this.groups = membership.quorumGroups(encoded);
		this.required = state.replicationFactor() / 2 + 1;
	}

	CompletableFuture<@Nullable Envelope> start() {
		if (!reachable()) {
			fail();
			return this.result;
		}
		this.state.readEach(this.readable, this.encoded, this.stamp, this::failed, (node, item) -> {
			this.stamp.record(node.address, item);
			answered(node, this.state.liveOrTombstone(node, this.encoded, item));
		});
		return this.result;
	}

	private synchronized void failed(Node node, @Nullable String reason) {
		this.failures.put(node.address, (reason != null) ? reason : "failed");
		if (this.result.isDone()) {
			return;
		}
		if (!reachable()) {
			fail();
		}
		else if (allSettled()) {
			decide();
		}
	}

	/** Whether every group still has a majority of readable nodes that did not fail. */
	private boolean reachable() {
		for (List<NodeAddress> group : this.groups) {
			int usable = 0;
			for (Node node : this.readable) {
				if (group.contains(node.address) && !this.failures.containsKey(node.address)) {
					usable++;
				}
			}
			if (usable < majorityOf(group)) {
				return false;
			}
		}
		return true;
	}

	/** Whether every group has a majority among {@code nodes}. */
	private boolean majorityIn(Iterable<Node> nodes) {
		for (List<NodeAddress> group : this.groups) {
			int count = 0;
			for (Node node : nodes) {
				if (group.contains(node.address)) {
					count++;
				}
			}
			if (count < majorityOf(group)) {
				return false;
			}
		}
		return true;
	}

	private static int majorityOf(List<NodeAddress> group) {
		return group.size() / 2 + 1;
	}

	private int countFailures() {
		int count = 0;
		for (Node node : this.readable) {
			if (this.failures.containsKey(node.address)) {
				count++;
			}
		}
		return count;
	}

	private boolean allSettled() {
		return this.answers.size() + countFailures() >= this.readable.size();
	}

	private synchronized void answered(Node node, @Nullable Envelope envelope) {
		this.answers.put(node, envelope);
		if (envelope != null || !node.mayLackEntries()) {
			this.conclusive.add(node);
		}
		EntryMerge merge = this.state.merges.forKey(this.encoded);
		if (this.result.isDone()) {
			if (this.newest != null && merge.merge(envelope, this.newest) != null) {
				this.repair.repair(List.of(node), this.encoded, this.newest);
			}
			return;
		}
		// A miss from a node that may lack entries (restarted, not yet refilled) is no
		// evidence: wait for a majority of answers that are, or for every replica.
		if (!majorityIn(this.answers.keySet()) || (!majorityIn(this.conclusive) && !allSettled())) {
			return;
		}
		decide();
	}

	private void decide() {
		EntryMerge merge = this.state.merges.forKey(this.encoded);
		// The answer is what the answers combine to: the newest by default, the merge of
		// all of them for keys with their own merge.
		Envelope winner = null;
		for (Envelope candidate : this.answers.values()) {
			if (candidate != null) {
				winner = merge.combine(winner, candidate);
			}
		}
		this.newest = winner;
		this.result.complete(winner);
		if (winner != null) {
			List<Node> stale = new ArrayList<>();
			Envelope decided = winner;
			this.answers.forEach((answeredBy, held) -> {
				if (merge.merge(held, decided) != null) {
					stale.add(answeredBy);
				}
			});
			this.repair.repair(stale, this.encoded, winner);
		}
	}

	private void fail() {
		this.state.metrics.quorumFailure("get");
		this.result.completeExceptionally(new QuorumNotReachedException("get", this.key, this.required,
				this.state.replicationFactor(), this.answers.size(), this.failures));
	}

}
