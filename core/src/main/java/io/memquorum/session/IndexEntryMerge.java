package io.memquorum.session;

import java.util.Arrays;

import io.memquorum.engine.EntryMerge;
import io.memquorum.engine.Envelope;
import org.jspecify.annotations.Nullable;

/**
 * How the engine combines two copies of one index item when it copies them between
 * replicas (hint replay, read repair, MAJORITY reads, refill): the union of the sessions
 * both list.
 *
 * <p>
 * Index items are written with {@code update}, which merges a change into each replica's
 * own copy. A replica that restarted empty therefore ends up with an item of its own that
 * lists only the sessions signed in since, under a version as new as the full copies on
 * the other replicas. Keeping the newest version would let that partial item replace the
 * full ones, node after node, during a rolling restart; the union keeps every session.
 *
 * <p>
 * The union is a join (commutative, associative, idempotent). It may list a session again
 * that a replica had removed (a logout, a changed id, a lookup that found it gone): the
 * index only says where to look, every session a lookup returns is read and checked, and
 * the lookup removes the entries it finds stale. Unreadable bytes read as an empty index;
 * where an engine tombstone is involved, the newest version wins.
 */
final class IndexEntryMerge implements EntryMerge {

	static final IndexEntryMerge INSTANCE = new IndexEntryMerge();

	private IndexEntryMerge() {
	}

	@Override
	public @Nullable Envelope merge(@Nullable Envelope held, Envelope incoming) {
		if (held == null || held.kind() == Envelope.Kind.ABSENT) {
			return (incoming.kind() == Envelope.Kind.ABSENT) ? null : incoming;
		}
		if (!held.isValue() || !incoming.isValue()) {
			return EntryMerge.NEWEST_WINS.merge(held, incoming);
		}
		if (Arrays.equals(held.payload(), incoming.payload())) {
			// Replicas that agree, the common case: nothing to decode.
			return null;
		}
		// Unreadable bytes read as an empty index, which adds nothing.
		IndexEntries heldEntries = IndexEntries.decode(held.payload());
		IndexEntries merged = IndexEntries.decode(held.payload()).mergeFrom(IndexEntries.decode(incoming.payload()));
		if (merged.entries.equals(heldEntries.entries)) {
			return null;
		}
		long version = Math.max(held.version(), incoming.version());
		return Envelope.value(version, laterExpiry(held, incoming), merged.encode());
	}

	/** The later of two expiries, where 0 (never) is the latest. */
	private static long laterExpiry(Envelope held, Envelope incoming) {
		if (held.expiresAtMillis() == 0 || incoming.expiresAtMillis() == 0) {
			return 0;
		}
		return Math.max(held.expiresAtMillis(), incoming.expiresAtMillis());
	}

}
