package io.memquorum.autoconfigure.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of the Spring Cache on the replication engine.
 */
@ConfigurationProperties("memquorum.cache")
public class MemquorumCacheProperties {

	/**
	 * Whether to provide the memquorum CacheManager.
	 */
	private boolean enabled = true;

	/**
	 * Whether to turn on annotation-driven caching (as @EnableCaching does) when the
	 * application has not done so itself.
	 */
	private boolean enableCaching = true;

	/**
	 * Caches to create at startup, with the default settings.
	 */
	private List<String> cacheNames = new ArrayList<>();

	/**
	 * Whether caches that are neither in cache-names nor in caches are created on first
	 * use. When false, only declared caches exist.
	 */
	private boolean dynamic = true;

	/**
	 * How long entries live. Zero means no expiry (memcached still evicts under memory
	 * pressure).
	 */
	private Duration ttl = Duration.ZERO;

	/**
	 * Whether null values are cached.
	 */
	private boolean cacheNullValues = true;

	/**
	 * Prepended to every cache's keys, before the cache name. The engine's
	 * memquorum.key-prefix comes first.
	 */
	private String keyPrefix = "";

	/**
	 * Which serializer turns cached values into bytes.
	 */
	private Serializer serializer = Serializer.JDK;

	/**
	 * Packages whose classes the serializer may read back, in addition to the JDK's value
	 * types (java.lang, java.math, java.time, java.util, java.net.URI) and the
	 * application's own packages (those of @SpringBootApplication). Each allows its
	 * sub-packages too.
	 */
	private List<String> allowedPackages = new ArrayList<>();

	/**
	 * How long a load lease lasts. When set, a cache miss takes a lease in memcached so
	 * that other application instances wait for this one's load (at most this long)
	 * instead of loading the same key. Unset means no lease: each instance loads on its
	 * own.
	 */
	private @Nullable Duration leaseTtl;

	/**
	 * Whether reads and writes that memcached cannot serve (no write quorum, timeouts)
	 * pass through: a read becomes a miss and a write is skipped. When false the failure
	 * reaches the CacheErrorHandler. Evictions and clears always raise their failures.
	 */
	private boolean passThroughOnFailure = true;

	/**
	 * Whether puts and evictions wait for the surrounding transaction to commit.
	 */
	private boolean transactionAware;

	/**
	 * Settings of individual caches, by cache name. A cache listed here is created at
	 * startup.
	 */
	private Map<String, Cache> caches = new LinkedHashMap<>();

	public Serializer getSerializer() {
		return this.serializer;
	}

	public void setSerializer(Serializer serializer) {
		this.serializer = serializer;
	}

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public boolean isEnableCaching() {
		return this.enableCaching;
	}

	public void setEnableCaching(boolean enableCaching) {
		this.enableCaching = enableCaching;
	}

	public List<String> getCacheNames() {
		return this.cacheNames;
	}

	public void setCacheNames(List<String> cacheNames) {
		this.cacheNames = cacheNames;
	}

	public boolean isDynamic() {
		return this.dynamic;
	}

	public void setDynamic(boolean dynamic) {
		this.dynamic = dynamic;
	}

	public Duration getTtl() {
		return this.ttl;
	}

	public void setTtl(Duration ttl) {
		this.ttl = ttl;
	}

	public boolean isCacheNullValues() {
		return this.cacheNullValues;
	}

	public void setCacheNullValues(boolean cacheNullValues) {
		this.cacheNullValues = cacheNullValues;
	}

	public String getKeyPrefix() {
		return this.keyPrefix;
	}

	public void setKeyPrefix(String keyPrefix) {
		this.keyPrefix = keyPrefix;
	}

	public List<String> getAllowedPackages() {
		return this.allowedPackages;
	}

	public void setAllowedPackages(List<String> allowedPackages) {
		this.allowedPackages = allowedPackages;
	}

	public @Nullable Duration getLeaseTtl() {
		return this.leaseTtl;
	}

	public void setLeaseTtl(@Nullable Duration leaseTtl) {
		this.leaseTtl = leaseTtl;
	}

	public boolean isPassThroughOnFailure() {
		return this.passThroughOnFailure;
	}

	public void setPassThroughOnFailure(boolean passThroughOnFailure) {
		this.passThroughOnFailure = passThroughOnFailure;
	}

	public boolean isTransactionAware() {
		return this.transactionAware;
	}

	public void setTransactionAware(boolean transactionAware) {
		this.transactionAware = transactionAware;
	}

	public Map<String, Cache> getCaches() {
		return this.caches;
	}

	public void setCaches(Map<String, Cache> caches) {
		this.caches = caches;
	}

	/**
	 * Settings of one cache; unset values fall back to the memquorum.cache defaults.
	 */
	public static class Cache {

		/**
		 * How long this cache's entries live. Zero means no expiry. Unset means
		 * memquorum.cache.ttl.
		 */
		private @Nullable Duration ttl;

		/**
		 * Whether this cache caches null values. Unset means
		 * memquorum.cache.cache-null-values.
		 */
		private @Nullable Boolean cacheNullValues;

		/**
		 * How long this cache's load lease lasts. Unset means memquorum.cache.lease-ttl.
		 */
		private @Nullable Duration leaseTtl;

		public @Nullable Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(@Nullable Duration ttl) {
			this.ttl = ttl;
		}

		public @Nullable Boolean getCacheNullValues() {
			return this.cacheNullValues;
		}

		public void setCacheNullValues(@Nullable Boolean cacheNullValues) {
			this.cacheNullValues = cacheNullValues;
		}

		public @Nullable Duration getLeaseTtl() {
			return this.leaseTtl;
		}

		public void setLeaseTtl(@Nullable Duration leaseTtl) {
			this.leaseTtl = leaseTtl;
		}

	}

	/**
	 * How cached values become bytes.
	 */
	public enum Serializer {

		/**
		 * JDK serialization behind an allow-list of packages.
		 */
		JDK,

		/**
		 * JSON (Jackson 3) a person can read, with type information limited to the
		 * allowed packages. Needs tools.jackson.core:jackson-databind.
		 */
		JSON

	}

}
