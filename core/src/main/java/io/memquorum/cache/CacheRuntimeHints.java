package io.memquorum.cache;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.cache.interceptor.SimpleKey;

/**
 * What the cache reaches by reflection: {@link StableCacheKeyMapper} reads the private
 * {@code params} field of Spring's {@link SimpleKey} to build a storage key from a
 * multi-argument cache key. Without this hint a native application would not find the
 * field and fall back to {@code SimpleKey.toString()}, so it would store such entries
 * under other keys than a JVM instance of the same application, and the two would not
 * share them.
 */
class CacheRuntimeHints implements RuntimeHintsRegistrar {

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		hints.reflection().registerType(SimpleKey.class, MemberCategory.ACCESS_DECLARED_FIELDS);
	}

}
