package io.memquorum.autoconfigure.cache;

import io.memquorum.cache.MemquorumCacheManager;

/**
 * Customizes the {@link MemquorumCacheManager.Builder} before the cache manager is built,
 * for example to give a cache a configuration that properties cannot express. Runs after
 * the {@code memquorum.cache.*} properties have been applied.
 */
@FunctionalInterface
public interface MemquorumCacheManagerBuilderCustomizer {

	void customize(MemquorumCacheManager.Builder builder);

}
