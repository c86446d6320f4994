package io.memquorum.autoconfigure.cache;

import io.memquorum.cache.MemquorumCache;
import io.memquorum.cache.MemquorumCacheMeterBinder;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.boot.cache.metrics.CacheMeterBinderProvider;

/**
 * Gives Spring Boot's cache metrics a {@link MemquorumCacheMeterBinder} for every
 * {@link MemquorumCache}.
 */
public class MemquorumCacheMeterBinderProvider implements CacheMeterBinderProvider<MemquorumCache> {

	@Override
	public MeterBinder getMeterBinder(MemquorumCache cache, Iterable<Tag> tags) {
		return new MemquorumCacheMeterBinder(cache, tags);
	}

}
