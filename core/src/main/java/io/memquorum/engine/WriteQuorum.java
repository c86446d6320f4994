package io.memquorum.engine;

/**
 * How many replicas must acknowledge a write before it succeeds.
 */
public enum WriteQuorum {

	/** One replica: fastest, and a single node failure can lose the write. */
	ONE,

	/** A majority, {@code floor(R/2)+1}: the default; survives the loss of a minority. */
	MAJORITY,

	/** Every replica: any one node down fails every write. */
	ALL;

	/**
	 * The number of acknowledgements needed.
	 * @param replicas the replication factor
	 * @return how many replicas must acknowledge
	 */
	public int required(int replicas) {
		return switch (this) {
			case ONE -> 1;
			case MAJORITY -> replicas / 2 + 1;
			case ALL -> replicas;
		};
	}

}
