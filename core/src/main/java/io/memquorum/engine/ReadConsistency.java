package io.memquorum.engine;

/**
 * How a read chooses among a key's replicas.
 */
public enum ReadConsistency {

	/**
	 * Ask the replicas one at a time in a fresh random order; the first that holds the
	 * key (or its tombstone) answers. One round trip when the first replica has the key.
	 */
	FIRST_HIT,

	/**
	 * Ask every readable replica at once and wait for a majority of answers; the newest
	 * version wins, and replicas that answered with an older version or nothing are
	 * repaired.
	 */
	MAJORITY

}
