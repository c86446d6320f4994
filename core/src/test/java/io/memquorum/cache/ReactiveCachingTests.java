package io.memquorum.cache;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.test.MemcachedClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.CacheConfig;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.support.SimpleCacheManager;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring's reactive {@code @Cacheable} contract on three real memcached nodes, modelled
 * on Spring Framework's own {@code ReactiveCachingTests}: a {@code Flux} result is cached
 * as the list of all its elements even when the first subscriber takes one and cancels,
 * and the next subscriber in the same JVM is served that list.
 */
class ReactiveCachingTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private static final int ROUNDS = 100;

	private AnnotationConfigApplicationContext context;

	@AfterEach
	void close() {
		if (this.context != null) {
			this.context.close();
		}
	}

	private <T> T service(Class<T> type) {
		this.context = new AnnotationConfigApplicationContext(CachingConfiguration.class, type);
		return this.context.getBean(type);
	}

	@Test
	void aFluxWhoseFirstSubscriberTakesOneElementIsStillCachedWholeForTheNextSubscriber() {
		FluxService service = service(FluxService.class);
		for (int round = 0; round < ROUNDS; round++) {
			String key = "flux-" + round;
			List<Long> l1 = service.cacheFlux(key).take(1L, true).collectList().block();
			List<Long> l2 = service.cacheFlux(key).take(3L, true).collectList().block();
			List<Long> l3 = service.cacheFlux(key).collectList().block();
			Long first = l1.get(0);
			assertThat(l1).as("round %d: l1", round).containsExactly(first);
			assertThat(l2).as("round %d: l2", round).containsExactly(first, 0L, -1L);
			assertThat(l3).as("round %d: l3", round).containsExactly(first, 0L, -1L, -2L, -3L);
		}
	}

	@Test
	void aSynchronizedFluxWhoseFirstSubscriberTakesOneElementIsStillCachedWholeForTheNextSubscriber() {
		SyncFluxService service = service(SyncFluxService.class);
		for (int round = 0; round < ROUNDS; round++) {
			String key = "sync-flux-" + round;
			List<Long> l1 = service.cacheFlux(key).take(1L, true).collectList().block();
			List<Long> l2 = service.cacheFlux(key).take(3L, true).collectList().block();
			List<Long> l3 = service.cacheFlux(key).collectList().block();
			Long first = l1.get(0);
			assertThat(l2).as("round %d: l2", round).containsExactly(first, 0L, -1L);
			assertThat(l3).as("round %d: l3", round).containsExactly(first, 0L, -1L, -2L, -3L);
		}
	}

	@Test
	void aMonoIsCachedForTheNextSubscriber() {
		FluxService service = service(FluxService.class);
		for (int round = 0; round < ROUNDS; round++) {
			String key = "mono-" + round;
			Long r1 = service.cacheMono(key).block();
			assertThat(service.cacheMono(key).block()).as("round %d", round).isEqualTo(r1);
		}
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class CachingConfiguration {

		@Bean(destroyMethod = "close")
		ReplicatedMemcached engine() {
			return ReplicatedMemcached.builder()
				.servers(memcached.cluster().addresses())
				.operationTimeout(Duration.ofMillis(300))
				.build();
		}

		@Bean
		CacheManager cacheManager(ReplicatedMemcached engine) {
			SimpleCacheManager manager = new SimpleCacheManager();
			manager.setCaches(List.of(new MemquorumCache("first", engine, MemquorumCacheConfiguration.defaults())));
			return manager;
		}

	}

	@CacheConfig(cacheNames = "first")
	static class FluxService {

		private final AtomicLong counter = new AtomicLong();

		@Cacheable
		Flux<Long> cacheFlux(String key) {
			// The counter moves with every subscription to the source, as in Spring's
			// own test: a recomputation shows as another first element.
			return Flux.defer(() -> Flux.just(this.counter.getAndIncrement(), 0L, -1L, -2L, -3L));
		}

		@Cacheable
		Mono<Long> cacheMono(String key) {
			return Mono.defer(() -> Mono.just(this.counter.getAndIncrement()));
		}

	}

	@CacheConfig(cacheNames = "first")
	static class SyncFluxService {

		private final AtomicLong counter = new AtomicLong();

		@Cacheable(sync = true)
		Flux<Long> cacheFlux(String key) {
			return Flux.defer(() -> Flux.just(this.counter.getAndIncrement(), 0L, -1L, -2L, -3L));
		}

	}

}
