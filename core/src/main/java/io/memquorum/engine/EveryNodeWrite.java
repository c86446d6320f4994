package io.memquorum.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import io.memquorum.node.NodeAddress;
import org.jspecify.annotations.Nullable;

/**
 * A write of a node-wide key: a key kept on every node rather than on its placement's
 * replicas, so that whichever replica answers a read of any key can answer the node-wide
 * key in the same round trip. Implements the contract's "Node-wide keys" write clause:
 * the write goes to every node and completes only once every node has answered or failed
 * (never at quorum); it succeeds when a majority of all nodes stored it, and every node
 * that missed a write that succeeded gets a hint, so it serves no reads until the hint is
 * replayed. Once the write returns, every node that serves reads holds it.
 */
final class EveryNodeWrite {

	private final EngineState state;

	private final Hints hints;

	EveryNodeWrite(EngineState state, Hints hints) {
		this.state = state;
		this.hints = hints;
	}

	/**
	 * Send one write to every node.
	 * @param operation the operation's name, for messages and metrics
	 * @param key the application key, for messages
	 * @param encoded the memcached key
	 * @param perNode the write on one node: the envelope stored, or {@code null} when the
	 * node declined
	 * @return whether a majority of all nodes stored it ({@code false} when enough
	 * declined); exceptionally {@link QuorumNotReachedException}
	 */
	CompletableFuture<Boolean> send(String operation, String key, String encoded,
			Function<Node, CompletableFuture<@Nullable Envelope>> perNode) {
		List<Node> nodes = new ArrayList<>(this.state.allNodes());
		Replies replies = new Replies(operation, key, encoded, nodes.size());
		this.state.sendToEach(nodes, operation, perNode, replies);
		return replies.result;
	}

	/** Collects the replies of one write; decides once every node has settled. */
	private final class Replies implements WriteReplies {

		private final String operation;

		private final String key;

		private final String encoded;

		private final int nodeCount;

		private final Map<NodeAddress, String> failures = new LinkedHashMap<>();

		private final List<Node> missed = new ArrayList<>();

		private int stored;

		private int declined;

		private @Nullable Envelope envelope;

		final CompletableFuture<Boolean> result = new CompletableFuture<>();

		Replies(String operation, String key, String encoded, int nodeCount) {
			this.operation = operation;
			this.key = key;
			this.encoded = encoded;
			this.nodeCount = nodeCount;
		}

		@Override
		public synchronized void answered(Node node, @Nullable Envelope stored) {
			if (stored != null) {
				this.stored++;
				this.envelope = stored;
			}
			else {
				this.declined++;
			}
			settle();
		}

		@Override
		public synchronized void failed(Node node, @Nullable String reason) {
			this.failures.put(node.address, (reason != null) ? reason : "failed");
			this.missed.add(node);
			settle();
		}

		private void settle() {
			if (this.stored + this.declined + this.failures.size() < this.nodeCount) {
				return;
			}
			int required = this.nodeCount / 2 + 1;
			if (this.stored >= required && this.envelope != null) {
				for (Node node : this.missed) {
					EveryNodeWrite.this.hints.queue(node, this.encoded, this.envelope);
				}
				this.result.complete(true);
			}
			else if (this.stored + this.declined >= required) {
				this.result.complete(false);
			}
			else {
				EveryNodeWrite.this.state.metrics.quorumFailure(this.operation);
				this.result.completeExceptionally(new QuorumNotReachedException(this.operation, this.key, required,
						this.nodeCount, this.stored, this.failures));
			}
		}

	}

}
