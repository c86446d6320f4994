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
	 * Whether the read has decided (or failed); guarded by this read's lock, so that an
	 * answer arriving while the decision is being completed outside it is taken for a
	 * late one.
	 */
	private boolean decided;

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
			Runnable failure;
			synchronized (this) {
				failure = fail();
			}
			failure.run();
			return this.result;
		}
		this.state.readEach(this.readable, this.encoded, this.stamp, this::failed, (node, item) -> {
			this.stamp.record(node.address, item);
			answered(node, this.state.liveOrTombstone(node, this.encoded, item));
		});
		return this.result;
	}

	private void failed(Node node, @Nullable String reason) {
		Runnable completion;
		synchronized (this) {
			this.failures.put(node.address, (reason != null) ? reason : "failed");
			if (this.decided) {
				return;
			}
			if (!reachable()) {
				completion = fail();
			}
			else if (allSettled()) {
				completion = decide();
			}
			else {
				return;
			}
		}
		completion.run();
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

	private void answered(Node node, @Nullable Envelope envelope) {
		Runnable completion;
		synchronized (this) {
			this.answers.put(node, envelope);
			if (envelope != null || !node.mayLackEntries()) {
				this.conclusive.add(node);
			}
			if (this.decided) {
				Envelope decidedValue = this.newest;
				if (decidedValue == null
						|| this.state.merges.forKey(this.encoded).merge(envelope, decidedValue) == null) {
					return;
				}
				completion = () -> this.repair.repair(List.of(node), this.encoded, decidedValue);
			}
			else if (!majorityIn(this.answers.keySet()) || (!majorityIn(this.conclusive) && !allSettled())) {
				// A miss from a node that may lack entries (restarted, not yet refilled)
				// is no evidence: wait for a majority of answers that are, or for every
				// replica.
				return;
			}
			else {
				completion = decide();
			}
		}
		completion.run();
	}

	/**
	 * Decide, holding this read's lock; the returned completion runs after the lock is
	 * released. Completing the result runs the caller's dependent stages (decoding a
	 * session, waking the thread that waits) on this reactor thread: inside the lock, the
	 * reactor bringing the next replica's answer had to wait for all of that.
	 */
	private Runnable decide() {
		this.decided = true;
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
		if (winner == null) {
			return () -> this.result.complete(null);
		}
		List<Node> stale = new ArrayList<>();
		Envelope decidedValue = winner;
		this.answers.forEach((answeredBy, held) -> {
			if (merge.merge(held, decidedValue) != null) {
				stale.add(answeredBy);
			}
		});
		return () -> {
			this.result.complete(decidedValue);
			if (!stale.isEmpty()) {
				this.repair.repair(stale, this.encoded, decidedValue);
			}
		};
	}

	/**
	 * Fail, holding this read's lock; as {@link #decide()}, the completion runs after.
	 */
	private Runnable fail() {
		this.decided = true;
		QuorumNotReachedException failure = new QuorumNotReachedException("get", this.key, this.required,
				this.state.replicationFactor(), this.answers.size(), this.failures);
		return () -> {
			this.state.metrics.quorumFailure("get");
			this.result.completeExceptionally(failure);
		};
	}

}
