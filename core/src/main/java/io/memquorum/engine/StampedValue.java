package io.memquorum.engine;

import org.jspecify.annotations.Nullable;

/**
 * A value read from a majority of replicas, with what each of them held.
 *
 * @param value the value, or {@code null} on a miss or after a delete
 * @param stamp what each replica held, for an update that follows
 */
public record StampedValue(byte @Nullable [] value, ReadStamp stamp) {

}
