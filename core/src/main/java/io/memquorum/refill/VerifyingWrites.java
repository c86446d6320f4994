package io.memquorum.refill;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import io.memquorum.engine.EntryMerge;
import io.memquorum.engine.Envelope;
import io.memquorum.node.StoredItem;
import org.jspecify.annotations.Nullable;

/**
 * The write rule of a verifying refill: the newest version wins wherever the node holds
 * nothing or something older, a value over an older value included; keys whose store
 * registered a merge keep it.
 *
 * <p>
 * A verifying refill stands in for hints the engine had to drop (its hint log for the
 * node overflowed), so it writes what replaying them would have written: hint replay uses
 * the key's merge, {@link EntryMerge#NEWEST_WINS} by default. A plain refill is more
 * careful with values ({@link CopyRule#copies}: a value never replaces another value,
 * which could drop updates merged into the node's own copy), because it fills a node that
 * missed nothing it was sent; a node whose hints were dropped did miss writes, and an
 * older value it holds is one of them. Giving every key a merge is all it takes:
 * {@link CopyRule#decide} then merges, and the default merge is newest-wins.
 */
final class VerifyingWrites implements ReplicaWriter {

	private final ReplicaWriter writer;

	VerifyingWrites(ReplicaWriter writer) {
		this.writer = writer;
	}

	@Override
	public CompletableFuture<@Nullable Envelope> write(RefillNode node, String encoded,
			Function<@Nullable Envelope, @Nullable Envelope> decide) {
		return this.writer.write(node, encoded, decide);
	}

	@Override
	public CompletableFuture<@Nullable Envelope> writeFrom(RefillNode node, String encoded,
			Function<@Nullable Envelope, @Nullable Envelope> decide, @Nullable StoredItem known) {
		return this.writer.writeFrom(node, encoded, decide, known);
	}

	@Override
	public @Nullable Envelope read(RefillNode node, String encoded, StoredItem item) {
		return this.writer.read(node, encoded, item);
	}

	@Override
	public EntryMerge mergeFor(String encoded) {
		EntryMerge registered = this.writer.mergeFor(encoded);
		return (registered != null) ? registered : EntryMerge.NEWEST_WINS;
	}

}
