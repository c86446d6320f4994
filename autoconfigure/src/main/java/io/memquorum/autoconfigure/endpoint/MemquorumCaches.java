package io.memquorum.autoconfigure.endpoint;

import java.util.List;

import io.memquorum.cache.MemquorumCache;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;
import org.springframework.cache.transaction.TransactionAwareCacheDecorator;
import org.springframework.util.ClassUtils;

/**
 * Finds the {@link MemquorumCache} behind a cache a {@link CacheManager} hands out, which
 * a transaction-aware cache manager wraps.
 */
final class MemquorumCaches {

	private static final boolean TRANSACTION_AWARE_PRESENT = ClassUtils.isPresent(
			"org.springframework.cache.transaction.TransactionAwareCacheDecorator",
			MemquorumCaches.class.getClassLoader());

	private MemquorumCaches() {
	}

	static @Nullable MemquorumCache unwrap(@Nullable Cache cache) {
		if (TRANSACTION_AWARE_PRESENT && cache instanceof TransactionAwareCacheDecorator decorator) {
			cache = decorator.getTargetCache();
		}
		return (cache instanceof MemquorumCache memquorum) ? memquorum : null;
	}

	static List<String> names(CacheManager manager) {
		return manager.getCacheNames()
			.stream()
			.filter((name) -> unwrap(manager.getCache(name)) != null)
			.sorted()
			.toList();
	}

}
