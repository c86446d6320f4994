package io.memquorum.cache;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.cache.CacheMeterBinder;
import org.jspecify.annotations.Nullable;

/**
 * Binds a {@link MemquorumCache}'s {@link CacheStatistics} to Micrometer: the common
 * {@code cache.gets} (hit, miss), {@code cache.puts} and {@code cache.evictions} meters,
 * and {@code cache.unreadable}, {@code cache.degraded}, {@code cache.oversized} and
 * {@code cache.lease.waits}. The size is unknown: memcached cannot count one cache's
 * entries.
 */
public class MemquorumCacheMeterBinder extends CacheMeterBinder<MemquorumCache> {

	private final CacheStatistics statistics;

	public MemquorumCacheMeterBinder(MemquorumCache cache, Iterable<Tag> tags) {
		super(cache, cache.getName(), tags);
		this.statistics = cache.getStatistics();
	}

	@Override
	protected @Nullable Long size() {
		return null;
	}

	@Override
	protected long hitCount() {
		return this.statistics.hits();
	}

	@Override
	protected Long missCount() {
		return this.statistics.misses();
	}

	@Override
	protected Long evictionCount() {
		return this.statistics.evictions();
	}

	@Override
	protected long putCount() {
		return this.statistics.puts();
	}

	@Override
	protected void bindImplementationSpecificMetrics(MeterRegistry registry) {
		FunctionCounter.builder("cache.unreadable", this.statistics, CacheStatistics::unreadable)
			.tags(getTagsWithCacheName())
			.description("Entries that could not be deserialized and were read as misses")
			.register(registry);
		FunctionCounter.builder("cache.degraded", this.statistics, CacheStatistics::degraded)
			.tags(getTagsWithCacheName())
			.description("Reads and writes passed through because memcached could not serve them")
			.register(registry);
		FunctionCounter.builder("cache.oversized", this.statistics, CacheStatistics::oversized)
			.tags(getTagsWithCacheName())
			.description("Values not cached because they exceed memcached's item size limit")
			.register(registry);
		FunctionCounter.builder("cache.lease.waits", this.statistics, CacheStatistics::leaseWaits)
			.tags(getTagsWithCacheName())
			.description("Loads that waited for another instance holding the key's lease")
			.register(registry);
	}

}
