package io.memquorum.engine;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import io.memquorum.node.StoredItem;
import io.memquorum.refill.RefillNode;
import io.memquorum.refill.ReplicaWriter;
import org.jspecify.annotations.Nullable;

/**
 * The engine's side of refill ({@link io.memquorum.refill.Refill}): how it reads and
 * writes replicas: reads decode (and, with signing keys, verify) an entry exactly as the
 * engine's own reads do, so refill copies only what the engine would read; writes are the
 * engine's compare-and-swap writes; merges are those the stores registered with the
 * engine.
 */
final class VerifyingReplicaWriter implements ReplicaWriter {

	private final EngineState state;

	private final ConditionalWrite conditional;

	VerifyingReplicaWriter(EngineState state, ConditionalWrite conditional) {
		this.state = state;
		this.conditional = conditional;
	}

	@Override
	public CompletableFuture<@Nullable Envelope> write(RefillNode node, String encoded,
			Function<@Nullable Envelope, @Nullable Envelope> decide) {
		// The value of an add not known to have won may be rolled back meanwhile.
		// Refill is given the engine's own nodes, nothing else.
		return this.conditional.apply((Node) node, encoded,
				this.conditional.unlessUncommitted(encoded, unlessReleased(decide)));
	}

	@Override
	public CompletableFuture<@Nullable Envelope> writeFrom(RefillNode node, String encoded,
			Function<@Nullable Envelope, @Nullable Envelope> decide, @Nullable StoredItem known) {
		return this.conditional.applyFrom((Node) node, encoded,
				this.conditional.unlessUncommitted(encoded, unlessReleased(decide)), known,
				ConditionalWrite.ALWAYS_RETRY);
	}

	/**
	 * An absent marker is a key just released or rolled back: a copy read from a peer
	 * before that must not bring it back.
	 */
	private static ConditionalWrite.SeesAbsentMarkers unlessReleased(
			Function<@Nullable Envelope, @Nullable Envelope> decide) {
		return (current) -> (current != null && current.kind() == Envelope.Kind.ABSENT) ? null : decide.apply(current);
	}

	@Override
	public @Nullable Envelope read(RefillNode node, String encoded, StoredItem item) {
		return this.state.decode((Node) node, encoded, item);
	}

	@Override
	public @Nullable EntryMerge mergeFor(String encoded) {
		return this.state.merges.registeredFor(encoded);
	}

}
