package io.memquorum.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.memquorum.node.NodeAddress;
import org.jspecify.annotations.Nullable;

/**
 * A FIRST_HIT read of one key. Implements the contract's "Reads, FIRST_HIT" clause:
 * replicas are asked one after another in the {@link ReadOrder}; a miss, an error, a
 * timeout or unreadable bytes move to the next; the first value or tombstone answers, and
 * a tombstone stops the walk so that an older copy behind it cannot come back. Replicas
 * that missed before the hit are repaired.
 */
final class FirstHitRead {

	private final EngineState state;

	private final Repair repair;

	private final String key;

	private final String encoded;

	private final Map<NodeAddress, String> failures = new LinkedHashMap<>();

	private final List<Node> order;

	private @Nullable List<Node> missed;

	private final CompletableFuture<@Nullable Envelope> result = new CompletableFuture<>();

	private int next;

	private int answered;

	FirstHitRead(EngineState state, ReadOrder readOrder, Repair repair, String key, String encoded) {
		this.state = state;
		this.repair = repair;
		this.key = key;
		this.encoded = encoded;
		this.order = readOrder.firstHitOrder(encoded, this.failures);
	}

	CompletableFuture<@Nullable Envelope> start() {
		step();
		return this.result;
	}

	private void step() {
		if (this.next == this.order.size()) {
			if (this.answered > 0) {
				this.result.complete(null);
			}
			else {
				this.state.metrics.quorumFailure("get");
				this.result.completeExceptionally(new QuorumNotReachedException("get", this.key, 1,
						this.state.replicationFactor(), 0, this.failures));
			}
			return;
		}
		Node node = this.order.get(this.next++);
		this.state.timed(node, "get", this.state.read(node, this.encoded)).whenComplete((item, failure) -> {
			if (failure != null) {
				this.state.failedOver(node, failure, this.failures);
				step();
				return;
			}
			node.recordSuccess();
			this.answered++;
			Envelope envelope = this.state.liveOrTombstone(node, this.encoded, item);
			if (envelope == null) {
				if (this.missed == null) {
					this.missed = new ArrayList<>(2);
				}
				this.missed.add(node);
				this.state.metrics.failover(node.address);
				step();
				return;
			}
			this.result.complete(envelope);
			if (this.missed != null) {
				this.repair.repair(this.missed, this.encoded, envelope);
			}
		});
	}

}
