package io.memquorum.refill;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import io.memquorum.engine.EntryMerge;
import io.memquorum.engine.Envelope;
import io.memquorum.node.StoredItem;
import org.jspecify.annotations.Nullable;

/**
 * How refill reads and writes one replica, as the engine does. Writes are
 * compare-and-swap: {@code decide} sees what the replica holds and returns the envelope
 * to store, or {@code null} to leave it; a write made meanwhile makes the swap fail and
 * {@code decide} run again on the new contents. The engine implements it with its own
 * conditional write, decoding and registered merges.
 */
@FunctionalInterface
public interface ReplicaWriter {

	/**
	 * @param node the replica
	 * @param encoded the memcached key
	 * @param decide given the replica's envelope ({@code null} when it holds nothing
	 * usable), the envelope to store or {@code null}
	 * @return the envelope stored, or {@code null} when declined (or already expired)
	 */
	CompletableFuture<@Nullable Envelope> write(RefillNode node, String encoded,
			Function<@Nullable Envelope, @Nullable Envelope> decide);

	/**
	 * As {@link #write}, starting from what a read of the replica just found instead of
	 * reading it again: the compare-and-swap (or the add, where it found nothing) still
	 * fails if the replica changed since, and {@code decide} then runs again on what it
	 * holds. The default reads the replica again.
	 * @param node the replica
	 * @param encoded the memcached key
	 * @param decide as for {@link #write}
	 * @param known the item the read found, {@code null} when it found nothing
	 * @return the envelope stored, or {@code null} when declined (or already expired)
	 */
	default CompletableFuture<@Nullable Envelope> writeFrom(RefillNode node, String encoded,
			Function<@Nullable Envelope, @Nullable Envelope> decide, @Nullable StoredItem known) {
		return write(node, encoded, decide);
	}

	/**
	 * Read what a peer returned for a key, as the engine reads it: with signing keys,
	 * only an entry whose signature verifies is an envelope. The default reads unsigned
	 * envelopes only.
	 * @param node the peer
	 * @param encoded the memcached key
	 * @param item what the peer returned
	 * @return the envelope, or {@code null} when the item is not a usable one
	 */
	default @Nullable Envelope read(RefillNode node, String encoded, StoredItem item) {
		return Envelope.decode(item.flags(), item.data());
	}

	/**
	 * The merge a key's store registered for it
	 * ({@link io.memquorum.engine.ReplicatedMemcached#mergeUnder}). The default: none.
	 * @param encoded the memcached key
	 * @return the merge, or {@code null} when the key has no merge of its own
	 */
	default @Nullable EntryMerge mergeFor(String encoded) {
		return null;
	}

}
