package io.memquorum.engine;

/**
 * A merge passed to {@link ReplicatedMemcached#update} that wants to know what it met on
 * the replicas, beyond the payloads it merged. The engine never runs a merge over a
 * tombstone, and a merge may run on what a read found earlier (a {@link ReadStamp})
 * rather than on what the replica holds now, so without this a merge can tell neither a
 * deleted key from a replica that declined for another reason, nor a replica that held
 * the value from one that merely used to. The session store needs both: a save that meets
 * a logout on any replica must write nothing anywhere, and a save may fill replicas that
 * restarted empty only when some replica still held the session.
 * <p>
 * Both methods are called on engine threads, possibly several times per replica; they
 * must be fast and must not block.
 */
public interface UpdateObserver {

	/**
	 * A replica holds a tombstone for the key, so the update left it as it is.
	 */
	default void metTombstone() {
	}

	/**
	 * A replica stored a merged payload (its compare-and-swap or add succeeded).
	 */
	default void storedOnReplica() {
	}

}
