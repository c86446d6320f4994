package io.memquorum.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.memquorum.node.NodeAddress;
import io.memquorum.node.StoredItem;
import org.jspecify.annotations.Nullable;

/**
 * A FIRST_HIT read of one key together with a node-wide key, both from the same replica
 * in one round trip. Implements the contract's "Node-wide keys" companion clause: the
 * key's replicas are walked as in a FIRST_HIT read (a miss, an error, a timeout or
 * unreadable bytes move to the next; a tombstone stops the walk); the replica that
 * answers the key also answers the node-wide key, so a hit costs one round trip to one
 * replica reading two keys. Replicas that missed before the hit are repaired.
 *
 * <p>
 * A replica that owes a hint for the node-wide key (it missed a write of it: an error
 * reply, a timeout, a dropped connection) is asked last, and its copy of the node-wide
 * key is not reported: it may be older than what this engine wrote (for a cache, the
 * generation before a {@code clear()}), and believing it would undo that write for this
 * engine. The caller then sees no companion and asks a majority.
 */
final class CompanionRead {

	private final EngineState state;

	private final Repair repair;

	private final String key;

	private final String encoded;

	private final String companion;

	private final Map<NodeAddress, String> failures = new LinkedHashMap<>(4);

	private final List<Node> order;

	private @Nullable List<Node> missed;

	private final CompletableFuture<ValueWithCompanion> result = new CompletableFuture<>();

	private @Nullable Envelope newestCompanion;

	private int next;

	private int answered;

	CompanionRead(EngineState state, ReadOrder readOrder, Repair repair, String key, String encoded, String companion) {
		this.state = state;
		this.repair = repair;
		this.key = key;
		this.encoded = encoded;
		this.companion = companion;
		this.order = readOrder.firstHitOrder(encoded, this.failures);
		askLastThoseOwing(this.order, companion);
	}

	/** Move the replicas that owe a hint for the companion to the end, in place. */
	private static void askLastThoseOwing(List<Node> order, String companion) {
		int unchecked = order.size();
		for (int i = 0; i < unchecked;) {
			Node node = order.get(i);
			if (node.hints.owes(companion)) {
				order.remove(i);
				order.add(node);
				unchecked--;
			}
			else {
				i++;
			}
		}
	}

	CompletableFuture<ValueWithCompanion> start() {
		step();
		return this.result;
	}

	private void step() {
		if (this.next == this.order.size()) {
			if (this.answered > 0) {
				this.result.complete(new ValueWithCompanion(null, payloadOf(this.newestCompanion), false,
						versionOf(this.newestCompanion)));
			}
			else {
				this.state.metrics.quorumFailure("get");
				this.result.completeExceptionally(new QuorumNotReachedException("get", this.key, 1,
						this.state.replicationFactor(), 0, this.failures));
			}
			return;
		}
		Node node = this.order.get(this.next++);
		// Both keys in one request to the node: one round trip, and one line that
		// other split gets queued on the connection join, where the generation every
		// hit of a cache wants is asked once.
		CompletableFuture<@Nullable StoredItem[]> both = this.state.readTogether(node, this.encoded, this.companion);
		this.state.timed(node, "get", both).whenComplete((items, failure) -> {
			if (failure != null) {
				this.state.failedOver(node, failure, this.failures);
				step();
				return;
			}
			node.recordSuccess();
			this.answered++;
			Envelope companionHere = this.state.liveOrTombstone(node, this.companion, items[1]);
			if (node.hints.owes(this.companion)) {
				companionHere = null;
			}
			Envelope envelope = this.state.liveOrTombstone(node, this.encoded, items[0]);
			if (envelope == null) {
				if (companionHere != null
						&& (this.newestCompanion == null || companionHere.version() > this.newestCompanion.version())) {
					this.newestCompanion = companionHere;
				}
				if (this.missed == null) {
					this.missed = new ArrayList<>(2);
				}
				this.missed.add(node);
				this.state.metrics.failover(node.address);
				step();
				return;
			}
			this.result.complete(new ValueWithCompanion(payloadOf(envelope), payloadOf(companionHere), true,
					versionOf(companionHere)));
			if (this.missed != null) {
				this.repair.repair(this.missed, this.encoded, envelope);
			}
		});
	}

	private static byte @Nullable [] payloadOf(@Nullable Envelope envelope) {
		return (envelope != null && envelope.isValue()) ? envelope.payload() : null;
	}

	private static long versionOf(@Nullable Envelope envelope) {
		return (envelope != null && envelope.isValue()) ? envelope.version() : 0;
	}

}
