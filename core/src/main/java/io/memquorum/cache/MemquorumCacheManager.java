package io.memquorum.cache;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.memquorum.engine.ReplicatedMemcached;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;
import org.springframework.cache.transaction.AbstractTransactionSupportingCacheManager;

/**
 * A {@link org.springframework.cache.CacheManager} of {@link MemquorumCache}s that share
 * one engine. Caches named up front get their own or the default configuration; other
 * names are created on first use with the default configuration, unless creation on first
 * use is turned off, in which case {@link #getCache(String)} returns {@code null} for
 * them. When transaction-aware, puts and evictions wait for the surrounding transaction
 * to commit.
 */
public class MemquorumCacheManager extends AbstractTransactionSupportingCacheManager {

	private final ReplicatedMemcached engine;

	private final MemquorumCacheConfiguration defaultConfiguration;

	private final Map<String, MemquorumCacheConfiguration> initialCaches;

	private final boolean createOnMissingCache;

	private final List<Consumer<MemquorumCache>> creationListeners = new CopyOnWriteArrayList<>();

	private MemquorumCacheManager(Builder builder) {
		this.engine = builder.engine;
		this.defaultConfiguration = builder.defaultConfiguration;
		this.initialCaches = new LinkedHashMap<>(builder.initialCaches);
		this.createOnMissingCache = builder.createOnMissingCache;
		setTransactionAware(builder.transactionAware);
	}

	/**
	 * Start building a cache manager on an engine.
	 * @param engine the engine, shared with other users
	 * @return a builder
	 */
	public static Builder builder(ReplicatedMemcached engine) {
		return new Builder(engine);
	}

	@Override
	protected Collection<? extends Cache> loadCaches() {
		List<MemquorumCache> caches = new ArrayList<>();
		this.initialCaches.forEach((name, configuration) -> caches.add(createCache(name, configuration)));
		return caches;
	}

	@Override
	protected @Nullable Cache getMissingCache(String name) {
		if (!this.createOnMissingCache) {
			return null;
		}
		MemquorumCache cache = createCache(name, this.defaultConfiguration);
		this.creationListeners.forEach((listener) -> listener.accept(cache));
		return cache;
	}

	protected MemquorumCache createCache(String name, MemquorumCacheConfiguration configuration) {
		return new MemquorumCache(name, this.engine, configuration);
	}

	/**
	 * Call a listener for every cache created on first use, after startup; metrics use it
	 * to follow caches that were not declared.
	 * @param listener the listener
	 */
	public void onCacheCreated(Consumer<MemquorumCache> listener) {
		this.creationListeners.add(listener);
	}

	public ReplicatedMemcached getEngine() {
		return this.engine;
	}

	public MemquorumCacheConfiguration getDefaultConfiguration() {
		return this.defaultConfiguration;
	}

	/**
	 * The configurations of the caches named up front.
	 * @return configurations by cache name
	 */
	public Map<String, MemquorumCacheConfiguration> getInitialCacheConfigurations() {
		return Map.copyOf(this.initialCaches);
	}

	public boolean isCreateOnMissingCache() {
		return this.createOnMissingCache;
	}

	/**
	 * Builds a {@link MemquorumCacheManager}.
	 */
	public static final class Builder {

		private final ReplicatedMemcached engine;

		private MemquorumCacheConfiguration defaultConfiguration = MemquorumCacheConfiguration.defaults();

		private final Map<String, MemquorumCacheConfiguration> initialCaches = new LinkedHashMap<>();

		private final List<String> initialCacheNames = new ArrayList<>();

		private boolean createOnMissingCache = true;

		private boolean transactionAware;

		private Builder(ReplicatedMemcached engine) {
			this.engine = engine;
		}

		/**
		 * The configuration of caches that have none of their own.
		 * @param configuration the default configuration
		 * @return this builder
		 */
		public Builder cacheDefaults(MemquorumCacheConfiguration configuration) {
			this.defaultConfiguration = configuration;
			return this;
		}

		/**
		 * Declare a cache with its own configuration.
		 * @param name the cache name
		 * @param configuration its configuration
		 * @return this builder
		 */
		public Builder withCacheConfiguration(String name, MemquorumCacheConfiguration configuration) {
			if (name.isEmpty()) {
				throw new IllegalArgumentException("Cache name must not be empty");
			}
			this.initialCaches.put(name, configuration);
			return this;
		}

		/**
		 * Declare caches that use the default configuration.
		 * @param names the cache names
		 * @return this builder
		 */
		public Builder initialCacheNames(Collection<String> names) {
			for (String name : names) {
				if (name.isEmpty()) {
					throw new IllegalArgumentException("Cache name must not be empty");
				}
				this.initialCacheNames.add(name);
			}
			return this;
		}

		/**
		 * Whether caches that were not declared are created on first use (the default).
		 * @param createOnMissingCache {@code false} to allow only declared caches
		 * @return this builder
		 */
		public Builder createOnMissingCache(boolean createOnMissingCache) {
			this.createOnMissingCache = createOnMissingCache;
			return this;
		}

		public Builder transactionAware(boolean transactionAware) {
			this.transactionAware = transactionAware;
			return this;
		}

		public MemquorumCacheManager build() {
			for (String name : this.initialCacheNames) {
				this.initialCaches.putIfAbsent(name, this.defaultConfiguration);
			}
			return new MemquorumCacheManager(this);
		}

	}

}
