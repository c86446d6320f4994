package io.memquorum.cache;

/**
 * Maps a cache key object to the string under which its entry is stored. The string must
 * be the same in every JVM and across restarts, so an implementation must never depend on
 * {@code hashCode()}, identity or iteration order of unordered collections.
 *
 * @see StableCacheKeyMapper
 */
@FunctionalInterface
public interface CacheKeyMapper {

	/**
	 * Map a key.
	 * @param key the key given to the cache
	 * @return its stable string form
	 * @throws UnmappableCacheKeyException when the key has no stable string form
	 */
	String toStorageKey(Object key);

}
