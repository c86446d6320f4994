package io.memquorum.autoconfigure.cache;

import java.time.Duration;
import java.util.List;

import io.memquorum.autoconfigure.MemquorumAutoConfiguration;
import io.memquorum.cache.AllowListJdkSerializer;
import io.memquorum.cache.JsonCacheValueSerializer;
import io.memquorum.cache.CacheValueSerializer;
import io.memquorum.cache.MemquorumCache;
import io.memquorum.cache.MemquorumCacheManager;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizer;
import org.springframework.boot.cache.autoconfigure.metrics.CacheMetricsAutoConfiguration;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.cache.interceptor.CacheInterceptor;
import org.springframework.cache.transaction.TransactionAwareCacheDecorator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static io.memquorum.autoconfigure.InvalidConfiguration.UNREACHABLE;
import static io.memquorum.autoconfigure.InvalidConfiguration.failsWith;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link MemquorumCacheAutoConfiguration}. Creating caches sends nothing to
 * memcached, so no memcached runs here.
 */
class MemquorumCacheAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MemquorumAutoConfiguration.class,
				MemquorumCacheAutoConfiguration.class, CacheAutoConfiguration.class))
		.withPropertyValues("memquorum.servers=" + UNREACHABLE);

	@Test
	void whenTheEngineExistsThenTheCacheManagerIsMemquorums() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(MemquorumCacheManager.class);
			assertThat(context.getBean(CacheManager.class).getCache("books")).isInstanceOf(MemquorumCache.class);
		});
	}

	@Test
	void whenServersAreNotSetThenNoCacheManagerIsCreated() {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(MemquorumAutoConfiguration.class, MemquorumCacheAutoConfiguration.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(CacheManager.class));
	}

	@Test
	void whenUserDefinesACacheManagerThenAutoConfigurationBacksOff() {
		this.runner.withUserConfiguration(UserCacheManagerConfiguration.class)
			.run((context) -> assertThat(context).doesNotHaveBean(MemquorumCacheManager.class)
				.getBean(CacheManager.class)
				.isInstanceOf(ConcurrentMapCacheManager.class));
	}

	@Test
	void whenSpringCacheTypeNamesAnotherTypeThenAutoConfigurationBacksOff() {
		this.runner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("spring.cache.type=simple")
			.run((context) -> assertThat(context).doesNotHaveBean(MemquorumCacheManager.class)
				.getBean(CacheManager.class)
				.isInstanceOf(ConcurrentMapCacheManager.class));
	}

	@Test
	void whenTheCacheIsDisabledThenAutoConfigurationBacksOff() {
		this.runner.withPropertyValues("memquorum.cache.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(MemquorumCacheManager.class));
	}

	@Test
	void whenTheApplicationHasNotEnabledCachingThenItIsEnabled() {
		this.runner.run((context) -> assertThat(context).hasSingleBean(CacheInterceptor.class));
	}

	@Test
	void whenEnableCachingIsOffThenCachingIsNotEnabled() {
		this.runner.withPropertyValues("memquorum.cache.enable-caching=false")
			.run((context) -> assertThat(context).doesNotHaveBean(CacheInterceptor.class));
	}

	@Test
	void whenTheApplicationEnablesCachingItselfThenItIsNotEnabledTwice() {
		this.runner.withUserConfiguration(CachingConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(CacheInterceptor.class));
	}

	@Test
	void declaredCachesExistAtStartupWithTheirOwnSettings() {
		this.runner
			.withPropertyValues("memquorum.cache.cache-names=books,authors", "memquorum.cache.ttl=10m",
					"memquorum.cache.cache-null-values=false", "memquorum.cache.caches.prices.ttl=30s",
					"memquorum.cache.caches.prices.lease-ttl=2s", "memquorum.cache.key-prefix=shop:")
			.run((context) -> {
				MemquorumCacheManager manager = context.getBean(MemquorumCacheManager.class);
				assertThat(manager.getCacheNames()).containsExactlyInAnyOrder("books", "authors", "prices");
				MemquorumCache books = (MemquorumCache) manager.getCache("books");
				assertThat(books.getConfiguration().getTtl()).isEqualTo(Duration.ofMinutes(10));
				assertThat(books.isAllowNullValues()).isFalse();
				assertThat(books.storageKey("42")).isEqualTo("shop:books::42");
				MemquorumCache prices = (MemquorumCache) manager.getCache("prices");
				assertThat(prices.getConfiguration().getTtl()).isEqualTo(Duration.ofSeconds(30));
				assertThat(prices.getConfiguration().getLeaseTtl()).isEqualTo(Duration.ofSeconds(2));
			});
	}

	@Test
	void whenDynamicCreationIsOffThenOnlyDeclaredCachesExist() {
		this.runner.withPropertyValues("memquorum.cache.cache-names=books", "memquorum.cache.dynamic=false")
			.run((context) -> {
				CacheManager manager = context.getBean(CacheManager.class);
				assertThat(manager.getCache("books")).isNotNull();
				assertThat(manager.getCache("other")).isNull();
			});
	}

	@Test
	void cacheManagerCustomizersAreApplied() {
		this.runner.withUserConfiguration(CustomizerConfiguration.class)
			.run((context) -> assertThat(context.getBean(CacheManager.class).getCache("books"))
				.isInstanceOf(TransactionAwareCacheDecorator.class));
	}

	@Test
	void builderCustomizersRunAfterTheProperties() {
		this.runner.withPropertyValues("memquorum.cache.ttl=1m")
			.withBean(MemquorumCacheManagerBuilderCustomizer.class,
					() -> (builder) -> builder.initialCacheNames(List.of("fromCustomizer")))
			.run((context) -> assertThat(context.getBean(MemquorumCacheManager.class).getCacheNames())
				.contains("fromCustomizer"));
	}

	@Test
	void whenTransactionAwareThenCachesAreDecorated() {
		this.runner.withPropertyValues("memquorum.cache.transaction-aware=true")
			.run((context) -> assertThat(context.getBean(CacheManager.class).getCache("books"))
				.isInstanceOf(TransactionAwareCacheDecorator.class));
	}

	@Test
	void theJsonSerializerIsChosenByPropertyWithTheSameAllowList() {
		this.runner.withUserConfiguration(ApplicationPackageConfiguration.class)
			.withPropertyValues("memquorum.cache.serializer=json",
					"memquorum.cache.allowed-packages=com.example.catalog")
			.run((context) -> assertThat(context.getBean(CacheValueSerializer.class)).isInstanceOfSatisfying(
					JsonCacheValueSerializer.class, (serializer) -> assertThat(serializer.getAllowedPackages())
						.contains("java.util", "com.example.catalog", "io.memquorum.autoconfigure.cache")));
	}

	@Test
	void theJsonSerializerWithoutJacksonFailsStartupSayingWhatIsMissing() {
		this.runner.withClassLoader(new FilteredClassLoader("tools.jackson"))
			.withPropertyValues("memquorum.cache.serializer=json")
			.run(failsWith("memquorum.cache.serializer", "needs Jackson 3 (tools.jackson.core:jackson-databind)"));
	}

	@Test
	void theDefaultSerializerAllowsJavaTheApplicationsPackagesAndConfiguredOnes() {
		this.runner.withUserConfiguration(ApplicationPackageConfiguration.class)
			.withPropertyValues("memquorum.cache.allowed-packages=com.example.catalog")
			.run((context) -> assertThat(context.getBean(AllowListJdkSerializer.class).getAllowedPackages())
				.containsExactly("java.lang", "java.math", "java.time", "java.util", "java.net.URI",
						"com.example.catalog", "io.memquorum.autoconfigure.cache"));
	}

	@Test
	void whenUserDefinesASerializerThenItIsUsed() {
		CacheValueSerializer custom = new AllowListJdkSerializer(List.of("org.example"));
		this.runner.withBean(CacheValueSerializer.class, () -> custom)
			.run((context) -> assertThat(
					((MemquorumCache) context.getBean(CacheManager.class).getCache("books")).getConfiguration()
						.getSerializer())
				.isSameAs(custom));
	}

	@Test
	void cacheMetricsCoverDeclaredCachesAndCachesCreatedAfterStartup() {
		this.runner.withConfiguration(AutoConfigurations.of(CacheMetricsAutoConfiguration.class))
			.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues("memquorum.cache.cache-names=books")
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(
						registry.find("cache.puts").tag("cache", "books").tag("cache.manager", "cacheManager").meter())
					.isNotNull();
				context.getBean(CacheManager.class).getCache("late");
				assertThat(registry.find("cache.puts").tag("cache", "late").meter()).isNotNull();
				assertThat(registry.find("cache.unreadable").tag("cache", "late").meter()).isNotNull();
			});
	}

	@Test
	void aNegativeTtlFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.cache.ttl=-5s")
			.run(failsWith("memquorum.cache.ttl", "A cache TTL must not be negative"));
	}

	@Test
	void aNegativeTtlOfOneCacheFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.cache.caches.books.ttl=-1m")
			.run(failsWith("memquorum.cache.caches.books.ttl", "A cache TTL must not be negative"));
	}

	@Test
	void aZeroLeaseTtlFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.cache.lease-ttl=0s")
			.run(failsWith("memquorum.cache.lease-ttl", "A lease TTL must be positive"));
	}

	@Test
	void aNegativeLeaseTtlOfOneCacheFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.cache.caches.books.lease-ttl=-1s")
			.run(failsWith("memquorum.cache.caches.books.lease-ttl", "A lease TTL must be positive"));
	}

	@Test
	void anAllowedPackageThatIsNotAPackageNameFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.cache.allowed-packages=com.example.*.model")
			.run(failsWith("memquorum.cache.allowed-packages", "is not a Java package name"));
	}

	@Test
	void turningDynamicCreationOffWithoutDeclaredCachesFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.cache.dynamic=false")
			.run(failsWith("memquorum.cache.dynamic", "declare the caches in memquorum.cache.cache-names"));
	}

	@Test
	void aBlankCacheNameFailsAtStartup() {
		this.runner.withPropertyValues("memquorum.cache.cache-names[0]=books", "memquorum.cache.cache-names[1]= ")
			.run(failsWith("memquorum.cache.cache-names", "Cache names must not be blank"));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class CachingConfiguration {

	}

	@Configuration(proxyBeanMethods = false)
	static class UserCacheManagerConfiguration {

		@Bean
		CacheManager userCacheManager() {
			return new ConcurrentMapCacheManager();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomizerConfiguration {

		@Bean
		CacheManagerCustomizer<MemquorumCacheManager> addCache() {
			return (manager) -> manager.setTransactionAware(true);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@AutoConfigurationPackage
	static class ApplicationPackageConfiguration {

	}

}
