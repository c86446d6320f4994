package io.memquorum.autoconfigure.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.memquorum.autoconfigure.MemquorumAutoConfiguration;
import io.memquorum.cache.AllowListJdkSerializer;
import io.memquorum.cache.CacheKeyMapper;
import io.memquorum.cache.CacheValueSerializer;
import io.memquorum.cache.JsonCacheValueSerializer;
import io.memquorum.cache.MemquorumCacheConfiguration;
import io.memquorum.cache.MemquorumCacheManager;
import io.memquorum.cache.StableCacheKeyMapper;
import io.memquorum.engine.ReplicatedMemcached;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizer;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizers;
import org.springframework.boot.cache.metrics.CacheMeterBinderProvider;
import org.springframework.boot.cache.metrics.CacheMetricsRegistrar;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.AbstractCachingConfiguration;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;

/**
 * Auto-configuration of a {@link MemquorumCacheManager} on the engine. Backs off when the
 * application defines its own {@link CacheManager}, when {@code spring.cache.type} picks
 * another cache type, or when {@code memquorum.cache.enabled=false}.
 */
@AutoConfiguration(after = MemquorumAutoConfiguration.class, before = CacheAutoConfiguration.class)
@ConditionalOnClass({ CacheManager.class, MemquorumCacheManager.class, CacheManagerCustomizers.class })
@ConditionalOnBean(ReplicatedMemcached.class)
@ConditionalOnMissingBean(CacheManager.class)
@ConditionalOnBooleanProperty(name = "memquorum.cache.enabled", matchIfMissing = true)
@Conditional(OnNoOtherCacheTypeCondition.class)
@EnableConfigurationProperties(MemquorumCacheProperties.class)
public final class MemquorumCacheAutoConfiguration {

	@Bean
	MemquorumCacheManager cacheManager(ReplicatedMemcached engine, MemquorumCacheProperties properties,
			CacheValueSerializer memquorumCacheValueSerializer, CacheKeyMapper memquorumCacheKeyMapper,
			ObjectProvider<MemquorumCacheManagerBuilderCustomizer> builderCustomizers,
			ObjectProvider<CacheManagerCustomizer<?>> cacheManagerCustomizers) {
		MemquorumCacheManager.Builder builder = MemquorumCacheManager.builder(engine);
		new PropertiesCacheManagerBuilderCustomizer(properties, memquorumCacheValueSerializer, memquorumCacheKeyMapper)
			.customize(builder);
		builderCustomizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
		return new CacheManagerCustomizers(cacheManagerCustomizers.orderedStream().toList()).customize(builder.build());
	}

	@Bean
	@ConditionalOnMissingBean
	CacheValueSerializer memquorumCacheValueSerializer(MemquorumCacheProperties properties, BeanFactory beanFactory) {
		List<String> packages = new ArrayList<>();
		for (String allowed : properties.getAllowedPackages()) {
			if (!allowed.trim()
				.matches("[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*"
						+ "(\\.[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*)*(\\.\\*\\*?)?")) {
				throw new InvalidConfigurationPropertyValueException("memquorum.cache.allowed-packages", allowed,
						"'" + allowed + "' is not a Java package name, for example com.example.catalog");
			}
			packages.add(allowed.trim());
		}
		if (AutoConfigurationPackages.has(beanFactory)) {
			packages.addAll(AutoConfigurationPackages.get(beanFactory));
		}
		ClassLoader classLoader = (beanFactory instanceof ConfigurableBeanFactory configurable)
				? configurable.getBeanClassLoader() : null;
		return switch (properties.getSerializer()) {
			case JDK -> new AllowListJdkSerializer(packages, classLoader);
			case JSON -> {
				if (!ClassUtils.isPresent("tools.jackson.databind.json.JsonMapper", classLoader)) {
					throw new InvalidConfigurationPropertyValueException("memquorum.cache.serializer", "json",
							"The JSON serializer needs Jackson 3 (tools.jackson.core:jackson-databind) on the class path");
				}
				yield new JsonCacheValueSerializer(packages, classLoader);
			}
		};
	}

	@Bean
	@ConditionalOnMissingBean
	CacheKeyMapper memquorumCacheKeyMapper() {
		return new StableCacheKeyMapper();
	}

	/**
	 * Turns on annotation-driven caching when the application has not.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingBean(AbstractCachingConfiguration.class)
	@ConditionalOnBooleanProperty(name = "memquorum.cache.enable-caching", matchIfMissing = true)
	@EnableCaching
	static class EnableCachingConfiguration {

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ MeterBinder.class, CacheMeterBinderProvider.class })
	static class CacheMetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		MemquorumCacheMeterBinderProvider memquorumCacheMeterBinderProvider() {
			return new MemquorumCacheMeterBinderProvider();
		}

		@Bean
		static SmartInitializingSingleton memquorumCacheMetricsBinder(ListableBeanFactory beanFactory,
				ObjectProvider<CacheMetricsRegistrar> registrar) {
			return () -> registrar.ifAvailable((available) -> {
				Map<String, MemquorumCacheManager> managers = beanFactory.getBeansOfType(MemquorumCacheManager.class);
				managers.forEach((beanName, manager) -> {
					Tag managerTag = Tag.of("cache.manager", cacheManagerName(beanName));
					manager.onCacheCreated((cache) -> available.bindCacheToRegistry(cache, managerTag));
				});
			});
		}

		/**
		 * The tag value Spring Boot gives a cache manager bean: its name without a
		 * {@code CacheManager} suffix.
		 */
		private static String cacheManagerName(String beanName) {
			String suffix = "cachemanager";
			if (beanName.length() > suffix.length() && beanName.toLowerCase(Locale.ENGLISH).endsWith(suffix)) {
				return beanName.substring(0, beanName.length() - suffix.length());
			}
			return beanName;
		}

	}

	/**
	 * Validates the {@code memquorum.cache.*} properties and applies them to the builder;
	 * runs before every user customizer.
	 */
	static final class PropertiesCacheManagerBuilderCustomizer implements MemquorumCacheManagerBuilderCustomizer {

		private final MemquorumCacheProperties properties;

		private final CacheValueSerializer serializer;

		private final CacheKeyMapper keyMapper;

		PropertiesCacheManagerBuilderCustomizer(MemquorumCacheProperties properties, CacheValueSerializer serializer,
				CacheKeyMapper keyMapper) {
			this.properties = properties;
			this.serializer = serializer;
			this.keyMapper = keyMapper;
		}

		@Override
		public void customize(MemquorumCacheManager.Builder builder) {
			MemquorumCacheProperties props = this.properties;
			notNegative("memquorum.cache.ttl", props.getTtl());
			positiveOrUnset("memquorum.cache.lease-ttl", props.getLeaseTtl());
			for (String name : props.getCacheNames()) {
				if (name == null || name.isBlank()) {
					throw new InvalidConfigurationPropertyValueException("memquorum.cache.cache-names",
							String.join(",", props.getCacheNames()), "Cache names must not be blank");
				}
			}
			if (!props.isDynamic() && props.getCacheNames().isEmpty() && props.getCaches().isEmpty()) {
				throw new InvalidConfigurationPropertyValueException("memquorum.cache.dynamic", false,
						"With dynamic cache creation off, declare the caches in memquorum.cache.cache-names"
								+ " or memquorum.cache.caches");
			}
			MemquorumCacheConfiguration defaults = MemquorumCacheConfiguration.defaults()
				.withTtl(props.getTtl())
				.withAllowNullValues(props.isCacheNullValues())
				.withKeyPrefix(props.getKeyPrefix())
				.withSerializer(this.serializer)
				.withKeyMapper(this.keyMapper)
				.withLeaseTtl(props.getLeaseTtl())
				.withPassThroughOnFailure(props.isPassThroughOnFailure());
			builder.cacheDefaults(defaults);
			builder.initialCacheNames(props.getCacheNames().stream().map(String::trim).toList());
			props.getCaches().forEach((name, cache) -> {
				String prefix = "memquorum.cache.caches." + name;
				MemquorumCacheConfiguration configuration = defaults;
				if (cache.getTtl() != null) {
					notNegative(prefix + ".ttl", cache.getTtl());
					configuration = configuration.withTtl(cache.getTtl());
				}
				if (cache.getCacheNullValues() != null) {
					configuration = configuration.withAllowNullValues(cache.getCacheNullValues());
				}
				if (cache.getLeaseTtl() != null) {
					positiveOrUnset(prefix + ".lease-ttl", cache.getLeaseTtl());
					configuration = configuration.withLeaseTtl(cache.getLeaseTtl());
				}
				builder.withCacheConfiguration(name, configuration);
			});
			builder.createOnMissingCache(props.isDynamic());
			builder.transactionAware(props.isTransactionAware());
		}

		private static void notNegative(String name, Duration value) {
			if (value.isNegative()) {
				throw new InvalidConfigurationPropertyValueException(name, value,
						"A cache TTL must not be negative; use 0 for no expiry");
			}
		}

		private static void positiveOrUnset(String name, @Nullable Duration value) {
			if (value != null && (value.isNegative() || value.isZero())) {
				throw new InvalidConfigurationPropertyValueException(name, value,
						"A lease TTL must be positive; leave it unset for no lease");
			}
		}

	}

}
