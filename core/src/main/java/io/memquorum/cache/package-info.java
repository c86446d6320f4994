/**
 * A Spring {@link org.springframework.cache.Cache} and
 * {@link org.springframework.cache.CacheManager} on the replication engine: stable cache
 * keys, pluggable value serialization with an allow-list, per-cache generations for
 * {@code clear()}, a distributed lease against stampedes, and pass-through degradation
 * when memcached cannot be reached.
 */
@NullMarked
package io.memquorum.cache;

import org.jspecify.annotations.NullMarked;
