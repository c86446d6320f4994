package io.memquorum.engine;

import java.time.Instant;

import io.memquorum.node.NodeAddress;
import org.jspecify.annotations.Nullable;

/**
 * What one replica of a key holds, as {@link ReplicatedMemcached#inspect(String)} found
 * it: the entry's kind, version, expiry and size, never its bytes.
 *
 * @param address the replica
 * @param state the replica's state as the engine sees it
 * @param readable whether reads of this key may use the replica now (up, and owing no
 * missed write of the key)
 * @param holds what the replica answered
 * @param version the entry's version ({@link VersionClock}), or -1 when it holds no
 * readable entry
 * @param expiresAt when the entry expires, or {@code null} when it never does or holds no
 * readable entry
 * @param size the entry's payload in bytes (0 for a tombstone), or -1 when it holds no
 * readable entry
 * @param problem why the replica gave no answer, or what made its bytes unreadable (an
 * {@link Envelope.Unreadable#tag() unreadable tag}); {@code null} otherwise
 */
public record ReplicaEntry(NodeAddress address, NodeState state, boolean readable, Holding holds, long version,
		@Nullable Instant expiresAt, long size, @Nullable String problem) {

	/**
	 * What a replica holds under a key.
	 */
	public enum Holding {

		/** A value. */
		VALUE,

		/** A tombstone: the key was deleted. */
		TOMBSTONE,

		/** An absent marker: an add that lost was rolled back, or a lease released. */
		ABSENT,

		/** Nothing: the key is missing on this replica. */
		NOTHING,

		/**
		 * Bytes this engine does not read (foreign, corrupt, unsigned or wrongly signed);
		 * reads count them as a miss.
		 */
		UNREADABLE,

		/** Not asked: the engine has the node down. */
		NOT_ASKED,

		/** Asked, and it failed or timed out. */
		NO_ANSWER

	}

}
