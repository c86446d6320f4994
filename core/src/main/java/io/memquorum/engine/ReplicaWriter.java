package io.memquorum.engine;

import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

/**
 * The repair rule, as refill uses it: store an envelope on one replica only where it
 * holds nothing or an older version, with the envelope's remaining lifetime.
 */
@FunctionalInterface
interface ReplicaWriter {

	/**
	 * @param node the replica
	 * @param encoded the memcached key
	 * @param envelope the envelope to copy
	 * @return the envelope stored, or {@code null} when the replica already held it or
	 * something newer (or the envelope had expired)
	 */
	CompletableFuture<@Nullable Envelope> writeIfNewer(Node node, String encoded, Envelope envelope);

}
