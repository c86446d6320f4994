package io.memquorum.engine;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * One {@code add}, decided by the write quorum. Implements the contract's "add" clause:
 * each replica stores the value only where it holds nothing live (nothing, an expired or
 * unreadable entry, or a tombstone); when the add loses, every replica where it stored
 * gets back what it replaced (the tombstone, or an absent marker) and is read last until
 * then, so that the loser reads the winner's value and a deleted value stays shadowed.
 */
final class QuorumAdd {

	private final QuorumWrite quorumWrite;

	private final ConditionalWrite conditional;

	private final ReadOrder readOrder;

	/** What the add replaced on each replica (a tombstone), to put back if it loses. */
	private final Map<Node, Envelope> displaced = new ConcurrentHashMap<>();

	QuorumAdd(QuorumWrite quorumWrite, ConditionalWrite conditional, ReadOrder readOrder) {
		this.quorumWrite = quorumWrite;
		this.conditional = conditional;
		this.readOrder = readOrder;
	}

	CompletableFuture<Boolean> add(String key, String encoded, Envelope envelope) {
		return this.quorumWrite
			.send("add", key, encoded, true,
					(node) -> this.conditional.apply(node, encoded, (current) -> decide(node, current, envelope)))
			.thenApply((outcome) -> {
				if (!outcome.succeeded()) {
					this.readOrder.lagging(encoded, outcome.storedOn());
					this.conditional.rollBack(encoded, envelope, outcome.storedOn(), this.displaced,
							(node) -> this.readOrder.caughtUp(encoded, node));
				}
				return outcome.succeeded();
			});
	}

	private @Nullable Envelope decide(Node node, @Nullable Envelope current, Envelope envelope) {
		if (current != null && !current.isTombstone()) {
			return null;
		}
		if (current != null) {
			this.displaced.put(node, current);
		}
		else {
			this.displaced.remove(node);
		}
		return envelope;
	}

}
