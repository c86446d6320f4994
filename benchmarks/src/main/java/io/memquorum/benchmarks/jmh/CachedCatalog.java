package io.memquorum.benchmarks.jmh;

import java.util.concurrent.atomic.LongAdder;

import io.memquorum.benchmarks.servers.RedisServer;
import io.memquorum.cache.MemquorumCacheManager;
import io.memquorum.engine.ReplicatedMemcached;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.cache.RedisCacheConfiguration;
import org.springframework.data.redis.cache.RedisCacheManager;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The application side of the {@code @Cacheable} benchmarks: a service whose methods are
 * cached through the Spring proxy, in a context whose {@link CacheManager} is either
 * memquorum's or Spring Data Redis's, each configured as its Spring Boot
 * auto-configuration does it by default. Both store the same {@code byte[]} values,
 * JDK-serialized, under the same cache name and keys.
 * <ul>
 * <li>{@code memquorum}: {@link MemquorumCacheManager} on the given engine.</li>
 * <li>{@code redis-cache}: {@link RedisCacheManager} with
 * {@link RedisCacheConfiguration#defaultCacheConfig(ClassLoader)} (keys
 * {@code items::<key>}, JDK serialization, no expiry, no locking) on a
 * {@link LettuceConnectionFactory} with its defaults (one shared connection), as
 * {@code spring-boot-data-redis} and {@code spring-boot-cache} wire it.</li>
 * </ul>
 */
final class CachedCatalog implements AutoCloseable {

	private final AnnotationConfigApplicationContext context;

	private final @Nullable LettuceConnectionFactory connectionFactory;

	private final Catalog catalog;

	private CachedCatalog(AnnotationConfigApplicationContext context,
			@Nullable LettuceConnectionFactory connectionFactory) {
		this.context = context;
		this.connectionFactory = connectionFactory;
		this.catalog = context.getBean(Catalog.class);
	}

	/**
	 * The catalog cached by memquorum.
	 * @param engine the engine the cache writes through
	 * @return the running context
	 */
	static CachedCatalog memquorum(ReplicatedMemcached engine) {
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
		context.registerBean(CacheManager.class, () -> MemquorumCacheManager.builder(engine).build());
		return start(context, null);
	}

	/**
	 * The catalog cached by Spring Data Redis.
	 * @param redis the server
	 * @return the running context
	 */
	static CachedCatalog redis(RedisServer redis) {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", redis.port()));
		factory.afterPropertiesSet();
		factory.start();
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
		context.registerBean(CacheManager.class,
				() -> RedisCacheManager.builder(factory)
					.cacheDefaults(RedisCacheConfiguration.defaultCacheConfig(CachedCatalog.class.getClassLoader()))
					.build());
		return start(context, factory);
	}

	private static CachedCatalog start(AnnotationConfigApplicationContext context,
			@Nullable LettuceConnectionFactory factory) {
		context.register(CachingConfiguration.class);
		context.refresh();
		return new CachedCatalog(context, factory);
	}

	Catalog catalog() {
		return this.catalog;
	}

	@Override
	public void close() {
		this.context.close();
		if (this.connectionFactory != null) {
			this.connectionFactory.destroy();
		}
	}

	/** An application service whose results are cached. */
	public static class Catalog {

		private final LongAdder loads = new LongAdder();

		@Cacheable("items")
		public byte[] item(String id) {
			this.loads.increment();
			return Workload.value().clone();
		}

		@CacheEvict("items")
		public void evict(String id) {
		}

		/**
		 * How often {@link #item} really ran (through the proxy, fields are not shared).
		 * @return the number of loads
		 */
		public long loadCount() {
			return this.loads.sum();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class CachingConfiguration {

		@Bean
		Catalog catalog() {
			return new Catalog();
		}

	}

}
