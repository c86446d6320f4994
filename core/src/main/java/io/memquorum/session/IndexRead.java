package io.memquorum.session;

import java.util.concurrent.CompletableFuture;

import io.memquorum.engine.QuorumNotReachedException;
import io.memquorum.engine.ReadConsistency;
import io.memquorum.engine.ReplicatedMemcached;

/**
 * How a lookup reads an index item: from a majority of its replicas, whatever the
 * engine's default read consistency, so that the answer is the union of what they list
 * ({@link IndexEntryMerge}) and a replica that lists fewer sessions is repaired.
 *
 * <p>
 * A replica that restarted empty and took a sign-in before its refill reached the index
 * item lists only the sessions signed in since; a read that stopped at that replica would
 * miss every older session, for example in a "log out everywhere". When no majority can
 * answer, the first replica that can answers, as for {@code findById}.
 */
final class IndexRead {

	private IndexRead() {
	}

	/**
	 * Read the entries of an index item.
	 * @param engine the engine
	 * @param indexKey the index item's key
	 * @return the entries; empty when no replica holds the item; failed with
	 * {@link QuorumNotReachedException} when no replica could answer
	 */
	static CompletableFuture<IndexEntries> entries(ReplicatedMemcached engine, String indexKey) {
		return SessionFutures
			.onQuorumLost(engine.getAsync(indexKey, ReadConsistency.MAJORITY),
					() -> engine.getAsync(indexKey, ReadConsistency.FIRST_HIT))
			.thenApply(IndexEntries::decode);
	}

}
