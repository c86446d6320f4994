package io.memquorum.cache;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

import org.jspecify.annotations.Nullable;

/**
 * The settings of one {@link MemquorumCache}. Immutable: every {@code with...} method
 * returns a copy.
 * <ul>
 * <li>{@link #getTtl() TTL}: how long entries live, {@link Duration#ZERO} (the default)
 * for no expiry.</li>
 * <li>{@link #isAllowNullValues() Null values} are cached by default.</li>
 * <li>{@link #getKeyPrefix() Key prefix}: prepended to {@code cacheName::key}, empty by
 * default.</li>
 * <li>{@link #getSerializer() Serializer}: {@link AllowListJdkSerializer} allowing only
 * the JDK value types ({@code java.lang}, {@code java.util}, {@code java.time}...) by
 * default.</li>
 * <li>{@link #getKeyMapper() Key mapper}: {@link StableCacheKeyMapper} by default.</li>
 * <li>{@link #getLeaseTtl() Lease}: off by default; when set, a miss takes a lease in
 * memcached for that long so that other application instances wait for this one's load
 * instead of loading the same key.</li>
 * <li>{@link #isPassThroughOnFailure() Pass-through}: on by default; reads and writes
 * that memcached cannot serve become misses and skipped writes.</li>
 * <li>{@link #getAsyncExecutor() Async executor}: where {@code retrieve} continues after
 * memcached answers, so that user code never runs on the client's I/O threads.</li>
 * </ul>
 */
public final class MemquorumCacheConfiguration {

	private final Duration ttl;

	private final boolean allowNullValues;

	private final String keyPrefix;

	private final CacheValueSerializer serializer;

	private final CacheKeyMapper keyMapper;

	private final @Nullable Duration leaseTtl;

	private final boolean passThroughOnFailure;

	private final Executor asyncExecutor;

	private MemquorumCacheConfiguration(Duration ttl, boolean allowNullValues, String keyPrefix,
			CacheValueSerializer serializer, CacheKeyMapper keyMapper, @Nullable Duration leaseTtl,
			boolean passThroughOnFailure, Executor asyncExecutor) {
		this.ttl = ttl;
		this.allowNullValues = allowNullValues;
		this.keyPrefix = keyPrefix;
		this.serializer = serializer;
		this.keyMapper = keyMapper;
		this.leaseTtl = leaseTtl;
		this.passThroughOnFailure = passThroughOnFailure;
		this.asyncExecutor = asyncExecutor;
	}

	/**
	 * The defaults described in the class documentation.
	 * @return the default configuration
	 */
	public static MemquorumCacheConfiguration defaults() {
		return new MemquorumCacheConfiguration(Duration.ZERO, true, "", new AllowListJdkSerializer(List.of()),
				new StableCacheKeyMapper(), null, true, ForkJoinPool.commonPool());
	}

	/**
	 * Entries live this long.
	 * @param ttl zero or more; {@link Duration#ZERO} for no expiry
	 * @return a copy with the TTL
	 */
	public MemquorumCacheConfiguration withTtl(Duration ttl) {
		if (ttl.isNegative()) {
			throw new IllegalArgumentException("Cache TTL must not be negative, got " + ttl);
		}
		return new MemquorumCacheConfiguration(ttl, this.allowNullValues, this.keyPrefix, this.serializer,
				this.keyMapper, this.leaseTtl, this.passThroughOnFailure, this.asyncExecutor);
	}

	public MemquorumCacheConfiguration withAllowNullValues(boolean allowNullValues) {
		return new MemquorumCacheConfiguration(this.ttl, allowNullValues, this.keyPrefix, this.serializer,
				this.keyMapper, this.leaseTtl, this.passThroughOnFailure, this.asyncExecutor);
	}

	public MemquorumCacheConfiguration withKeyPrefix(String keyPrefix) {
		return new MemquorumCacheConfiguration(this.ttl, this.allowNullValues, keyPrefix, this.serializer,
				this.keyMapper, this.leaseTtl, this.passThroughOnFailure, this.asyncExecutor);
	}

	public MemquorumCacheConfiguration withSerializer(CacheValueSerializer serializer) {
		return new MemquorumCacheConfiguration(this.ttl, this.allowNullValues, this.keyPrefix, serializer,
				this.keyMapper, this.leaseTtl, this.passThroughOnFailure, this.asyncExecutor);
	}

	public MemquorumCacheConfiguration withKeyMapper(CacheKeyMapper keyMapper) {
		return new MemquorumCacheConfiguration(this.ttl, this.allowNullValues, this.keyPrefix, this.serializer,
				keyMapper, this.leaseTtl, this.passThroughOnFailure, this.asyncExecutor);
	}

	/**
	 * Take a distributed lease on a miss before loading.
	 * @param leaseTtl how long a lease holds, positive; {@code null} turns leases off
	 * @return a copy with the lease setting
	 */
	public MemquorumCacheConfiguration withLeaseTtl(@Nullable Duration leaseTtl) {
		if (leaseTtl != null && (leaseTtl.isNegative() || leaseTtl.isZero())) {
			throw new IllegalArgumentException("Lease TTL must be positive, got " + leaseTtl);
		}
		return new MemquorumCacheConfiguration(this.ttl, this.allowNullValues, this.keyPrefix, this.serializer,
				this.keyMapper, leaseTtl, this.passThroughOnFailure, this.asyncExecutor);
	}

	public MemquorumCacheConfiguration withPassThroughOnFailure(boolean passThroughOnFailure) {
		return new MemquorumCacheConfiguration(this.ttl, this.allowNullValues, this.keyPrefix, this.serializer,
				this.keyMapper, this.leaseTtl, passThroughOnFailure, this.asyncExecutor);
	}

	public MemquorumCacheConfiguration withAsyncExecutor(Executor asyncExecutor) {
		return new MemquorumCacheConfiguration(this.ttl, this.allowNullValues, this.keyPrefix, this.serializer,
				this.keyMapper, this.leaseTtl, this.passThroughOnFailure, asyncExecutor);
	}

	public Duration getTtl() {
		return this.ttl;
	}

	public boolean isAllowNullValues() {
		return this.allowNullValues;
	}

	public String getKeyPrefix() {
		return this.keyPrefix;
	}

	public CacheValueSerializer getSerializer() {
		return this.serializer;
	}

	public CacheKeyMapper getKeyMapper() {
		return this.keyMapper;
	}

	public @Nullable Duration getLeaseTtl() {
		return this.leaseTtl;
	}

	public boolean isPassThroughOnFailure() {
		return this.passThroughOnFailure;
	}

	public Executor getAsyncExecutor() {
		return this.asyncExecutor;
	}

	@Override
	public String toString() {
		return "MemquorumCacheConfiguration[ttl=" + this.ttl + ", allowNullValues=" + this.allowNullValues
				+ ", keyPrefix='" + this.keyPrefix + "', serializer=" + this.serializer + ", leaseTtl=" + this.leaseTtl
				+ ", passThroughOnFailure=" + this.passThroughOnFailure + "]";
	}

}
