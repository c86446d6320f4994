package io.memquorum.engine;

import org.jspecify.annotations.Nullable;

/**
 * What a read of a key together with a node-wide key found.
 *
 * @param value the key's value, or {@code null} on a miss
 * @param companion the node-wide key's value on the replica that answered the key, or
 * {@code null} when that replica does not hold it; on a miss, the newest value of the
 * node-wide key any replica asked held
 * @param sameReplica whether {@code value} and {@code companion} come from the same
 * replica (always on a hit or a tombstone)
 */
public record ValueWithCompanion(byte @Nullable [] value, byte @Nullable [] companion, boolean sameReplica) {

}
