package io.memquorum.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.memquorum.node.NodeAddress;
import org.jspecify.annotations.Nullable;

/**
 * A read of a node-wide key from a majority of all nodes. Implements the contract's
 * "Node-wide keys" read clause: every readable node is asked at once; the newest envelope
 * among the first majority of all nodes to answer decides; when fewer than a majority can
 * answer, the newest among those that did. Once every node answered, those holding
 * nothing or something older are repaired.
 */
final class EveryNodeRead {

	private final EngineState state;

	private final Repair repair;

	private final String key;

	private final String encoded;

	private final Map<NodeAddress, String> failures = new LinkedHashMap<>();

	private final List<Node> nodes;

	private final List<Node> answeredBy = new ArrayList<>();

	private final List<@Nullable Envelope> answers = new ArrayList<>();

	private final CompletableFuture<@Nullable Envelope> result = new CompletableFuture<>();

	private final int required;

	private final int nodeCount;

	private int settled;

	private @Nullable Envelope newest;

	EveryNodeRead(EngineState state, Repair repair, String key, String encoded) {
		this.state = state;
		this.repair = repair;
		this.key = key;
		this.encoded = encoded;
		Membership membership = state.membership();
		this.nodeCount = membership.nodes.size();
		// During a change the nodes that joined hold no node-wide key until refilled, and
		// those about to leave may hold the only copies: the read waits for every node.
		this.required = membership.isJoint() ? this.nodeCount : this.nodeCount / 2 + 1;
		this.nodes = new ArrayList<>(this.nodeCount);
		for (Node node : membership.allNodes()) {
			if (node.isReadable(encoded)) {
				this.nodes.add(node);
			}
			else {
				this.failures.put(node.address, "does not serve reads now");
			}
		}
	}

	CompletableFuture<@Nullable Envelope> start() {
		if (this.nodes.isEmpty()) {
			fail();
			return this.result;
		}
		this.state.readEach(this.nodes, this.encoded, this::failed,
				(node, item) -> answered(node, this.state.liveOrTombstone(node, this.encoded, item)));
		return this.result;
	}

	private synchronized void answered(Node node, @Nullable Envelope envelope) {
		this.answeredBy.add(node);
		this.answers.add(envelope);
		if (envelope != null && (this.newest == null || envelope.version() > this.newest.version())) {
			this.newest = envelope;
		}
		if (this.answeredBy.size() == this.required) {
			this.result.complete(this.newest);
		}
		settled();
	}

	private synchronized void failed(Node node, @Nullable String reason) {
		this.failures.put(node.address, (reason != null) ? reason : "failed");
		settled();
	}

	private void settled() {
		if (++this.settled < this.nodes.size()) {
			return;
		}
		if (this.answeredBy.isEmpty()) {
			fail();
			return;
		}
		// Fewer than a majority answered: the newest of those that did.
		this.result.complete(this.newest);
		Envelope found = this.newest;
		if (found == null) {
			return;
		}
		List<Node> stale = new ArrayList<>();
		for (int i = 0; i < this.answeredBy.size(); i++) {
			Envelope answer = this.answers.get(i);
			if (answer == null || answer.version() < found.version()) {
				stale.add(this.answeredBy.get(i));
			}
		}
		this.repair.repair(stale, this.encoded, found);
	}

	private void fail() {
		this.state.metrics.quorumFailure("get");
		this.result.completeExceptionally(
				new QuorumNotReachedException("get", this.key, this.required, this.nodeCount, 0, this.failures));
	}

}
