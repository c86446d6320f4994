package io.memquorum.engine;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

/**
 * One {@code add}, decided by the write quorum. Implements the contract's "add" clause:
 * each replica stores the value only where it holds nothing live (nothing, an expired or
 * unreadable entry, or a tombstone); when the add loses, every replica where it stored
 * gets back what it replaced (the tombstone, or an absent marker) and is read last until
 * then, so that the loser reads the winner's value and a deleted value stays shadowed.
 * Until the add is known to have won, its value is in {@link UncommittedAdds}, so that no
 * copy between replicas spreads it.
 */
final class QuorumAdd {

	private final QuorumWrite quorumWrite;

	private final ConditionalWrite conditional;

	private final ReadOrder readOrder;

	private final UncommittedAdds uncommitted;

	/** What the add replaced on each replica (a tombstone), to put back if it loses. */
	private final Map<Node, Envelope> displaced = new ConcurrentHashMap<>();

	QuorumAdd(QuorumWrite quorumWrite, ConditionalWrite conditional, ReadOrder readOrder, UncommittedAdds uncommitted) {
		this.quorumWrite = quorumWrite;
		this.conditional = conditional;
		this.readOrder = readOrder;
		this.uncommitted = uncommitted;
	}

	CompletableFuture<Boolean> add(String key, String encoded, Envelope envelope) {
		this.uncommitted.started(encoded, envelope.version());
		return this.quorumWrite
			.send("add", key, encoded, true,
					(node) -> this.conditional.apply(node, encoded, (current) -> decide(node, current, envelope)))
			.whenComplete((outcome, failure) -> {
				if (failure != null) {
					// Stored on too few replicas to tell: like a failed set, the value
					// may
					// stay where it landed, but no copy spreads it meanwhile.
					this.uncommitted.rolledBack(encoded, envelope.version());
				}
				else if (outcome.succeeded()) {
					this.uncommitted.won(encoded, envelope.version());
				}
				else {
					rollBack(encoded, envelope, outcome);
				}
			})
			.thenApply(QuorumWrite.WriteOutcome::succeeded);
	}

	private void rollBack(String encoded, Envelope envelope, QuorumWrite.WriteOutcome outcome) {
		if (outcome.storedOn().isEmpty()) {
			this.uncommitted.rolledBack(encoded, envelope.version());
			return;
		}
		AtomicInteger unsettled = new AtomicInteger(outcome.storedOn().size());
		this.readOrder.lagging(encoded, outcome.storedOn());
		this.conditional.rollBack(encoded, envelope, outcome.storedOn(), this.displaced, (node) -> {
			this.readOrder.caughtUp(encoded, node);
			if (unsettled.decrementAndGet() == 0) {
				this.uncommitted.rolledBack(encoded, envelope.version());
			}
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
