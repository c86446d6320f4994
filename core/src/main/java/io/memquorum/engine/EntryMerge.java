package io.memquorum.engine;

import org.jspecify.annotations.Nullable;

/**
 * How an entry that reaches a replica combines with what the replica holds, wherever the
 * engine copies entries between replicas: hint replay, read repair, the winner of a
 * MAJORITY read, and two hints for one key.
 *
 * <p>
 * The default, {@link #NEWEST_WINS}, keeps the entry with the higher version. A store
 * whose values are made of independently versioned parts (the session store: one version
 * per attribute) registers its own merge for its key prefix
 * ({@link ReplicatedMemcached#mergeUnder(String, EntryMerge)}), so that copying a whole
 * entry never drops a part that only the replica held. A merge must be a join:
 * commutative, associative and idempotent, so that replicas converge whatever order
 * entries reach them in.
 */
@FunctionalInterface
public interface EntryMerge {

	/** The default: the higher version wins, and anything beats an absent marker. */
	EntryMerge NEWEST_WINS = (held, incoming) -> incoming.supersedes(held) ? incoming : null;

	/**
	 * Combine an incoming entry with what a replica holds.
	 * @param held what the replica holds, {@code null} when nothing usable
	 * @param incoming the entry that reaches it
	 * @return what the replica should hold, or {@code null} when {@code held} already
	 * covers {@code incoming}
	 */
	@Nullable Envelope merge(@Nullable Envelope held, Envelope incoming);

	/**
	 * Combine two entries, whichever holds more.
	 * @param held one entry, may be {@code null}
	 * @param incoming the other
	 * @return the combination
	 */
	default Envelope combine(@Nullable Envelope held, Envelope incoming) {
		Envelope merged = merge(held, incoming);
		return (merged != null) ? merged : (held != null) ? held : incoming;
	}

}
