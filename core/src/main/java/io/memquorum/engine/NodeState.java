package io.memquorum.engine;

/**
 * Where a node stands in the engine's failure detection.
 */
public enum NodeState {

	/** Answering; serves reads and writes. */
	UP,

	/**
	 * Failed {@code failureThreshold} times in a row. Calls to it fail at once without a
	 * round trip, and a background probe with backoff watches for its return.
	 */
	DOWN,

	/**
	 * Back, or found restarted, but not yet trusted: it takes writes, serves no reads,
	 * and gets the writes and deletes it missed (its hints) replayed. If it missed more
	 * than its hints hold, it stays here until refill verified it against its peers, or
	 * is flushed first when a delete it missed may be older than a tombstone lives.
	 */
	RECOVERING

}
