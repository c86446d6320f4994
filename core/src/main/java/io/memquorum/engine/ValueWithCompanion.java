package io.memquorum.engine;

import org.jspecify.annotations.Nullable;

/**
 * What a read of a key together with a node-wide key found.
 *
 * @param value the key's value, or {@code null} on a miss
 * @param companion the node-wide key's value on the replica that answered the key, or
 * {@code null} when that replica does not hold it or owes a hint for it (its copy may be
 * older than what this engine wrote); on a miss, the newest value of the node-wide key
 * any replica asked held, among those that owe it nothing
 * @param sameReplica whether {@code value} and {@code companion} come from the same
 * replica (always on a hit or a tombstone)
 * @param companionVersion the version of {@code companion}, 0 when it is {@code null}
 */
public record ValueWithCompanion(byte @Nullable [] value, byte @Nullable [] companion, boolean sameReplica,
		long companionVersion) {

	/**
	 * A result whose companion's version is unknown (0).
	 * @param value the key's value, or {@code null} on a miss
	 * @param companion the node-wide key's value
	 * @param sameReplica whether both come from the same replica
	 */
	public ValueWithCompanion(byte @Nullable [] value, byte @Nullable [] companion, boolean sameReplica) {
		this(value, companion, sameReplica, 0);
	}

}
