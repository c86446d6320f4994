package io.memquorum.autoconfigure.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.memquorum.autoconfigure.MemquorumAutoConfiguration;
import io.memquorum.cache.MemquorumCache;
import io.memquorum.engine.NodeState;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.test.MemcachedClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.actuate.endpoint.CachesEndpoint;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.CachesEndpointAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An application with {@code @Cacheable} methods, auto-configured on three real memcached
 * nodes, with nothing but properties.
 */
class MemquorumCacheIntegrationTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private ApplicationContextRunner runner() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(MemquorumAutoConfiguration.class,
					MemquorumCacheAutoConfiguration.class, CacheAutoConfiguration.class))
			.withUserConfiguration(BookServiceConfiguration.class)
			.withPropertyValues("memquorum.servers=" + memcached.cluster().servers(),
					"memquorum.operation-timeout=300ms", "memquorum.probe-interval=50ms",
					"memquorum.max-probe-interval=400ms", "memquorum.restart-check-interval=300ms",
					"memquorum.reconnect-interval=200ms", "memquorum.cache.allowed-packages=io.memquorum");
	}

	@Test
	void aCacheableServiceSurvivesTheRestartOfOneOfThreeNodesEmptyWithZeroExtraLoads() {
		runner().run((context) -> {
			BookService books = context.getBean(BookService.class);
			for (int i = 0; i < 50; i++) {
				books.title("isbn-" + i);
			}
			assertThat(books.loads()).isEqualTo(50);
			memcached.cluster().node(1).restartEmpty();
			ReplicatedMemcached engine = context.getBean(ReplicatedMemcached.class);
			for (int round = 0; round < 5; round++) {
				for (int i = 0; i < 50; i++) {
					assertThat(books.title("isbn-" + i)).isEqualTo("Title of isbn-" + i);
				}
			}
			await().until(() -> engine.nodeStatus().get(1).restarts() == 1
					&& engine.nodeStatus().get(1).state() == NodeState.UP);
			for (int i = 0; i < 50; i++) {
				books.title("isbn-" + i);
			}
			assertThat(books.loads()).isEqualTo(50);
		});
	}

	@Test
	void clearInOneApplicationContextIsVisibleToASecondContextOnTheSameNodes() {
		runner().run((first) -> runner().run((second) -> {
			BookService firstBooks = first.getBean(BookService.class);
			BookService secondBooks = second.getBean(BookService.class);
			firstBooks.title("isbn-1");
			secondBooks.title("isbn-1");
			assertThat(secondBooks.loads()).isEqualTo(0);
			firstBooks.clearAll();
			secondBooks.title("isbn-1");
			assertThat(secondBooks.loads()).isEqualTo(1);
			firstBooks.title("isbn-1");
			assertThat(firstBooks.loads()).isEqualTo(1);
		}));
	}

	@Test
	void fiftyConcurrentCallersOfASyncCacheableMethodCauseOneLoad() {
		runner().run((context) -> {
			BookService books = context.getBean(BookService.class);
			ExecutorService callers = Executors.newFixedThreadPool(50);
			try {
				CyclicBarrier start = new CyclicBarrier(50);
				List<Future<String>> results = new ArrayList<>();
				for (int i = 0; i < 50; i++) {
					results.add(callers.submit(() -> {
						start.await(5, TimeUnit.SECONDS);
						return books.slowTitle("isbn-1");
					}));
				}
				await().until(() -> books.loads() == 1);
				books.release();
				for (Future<String> result : results) {
					assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("Slow title of isbn-1");
				}
				assertThat(books.loads()).isEqualTo(1);
			}
			finally {
				callers.shutdownNow();
			}
		});
	}

	@Test
	void withTwoOfThreeNodesDownTheAnnotatedMethodRunsAndReturnsNormally() {
		runner().run((context) -> {
			BookService books = context.getBean(BookService.class);
			memcached.cluster().node(0).kill();
			memcached.cluster().node(2).kill();
			assertThat(books.title("isbn-1")).isEqualTo("Title of isbn-1");
			assertThat(books.title("isbn-1")).isEqualTo("Title of isbn-1");
			assertThat(books.loads()).isEqualTo(2);
			MemquorumCache cache = (MemquorumCache) context.getBean(CacheManager.class).getCache("books");
			assertThat(cache.getStatistics().degraded()).isPositive();
		});
	}

	@Test
	void aCompletableFutureReturningCacheableMethodIsServedThroughRetrieve() {
		runner().run((context) -> {
			BookService books = context.getBean(BookService.class);
			assertThat(books.asyncTitle("isbn-1").get(5, TimeUnit.SECONDS)).isEqualTo("Async title of isbn-1");
			assertThat(books.asyncTitle("isbn-1").get(5, TimeUnit.SECONDS)).isEqualTo("Async title of isbn-1");
			assertThat(books.loads()).isEqualTo(1);
			MemquorumCache cache = (MemquorumCache) context.getBean(CacheManager.class).getCache("books");
			assertThat(cache.getStatistics().hits()).isEqualTo(1);
		});
	}

	@Test
	void theCachesEndpointListsTheCachesAndClearsThemForEveryInstance() {
		ApplicationContextRunner withEndpoint = runner()
			.withConfiguration(AutoConfigurations.of(CachesEndpointAutoConfiguration.class))
			.withPropertyValues("management.endpoints.web.exposure.include=caches");
		withEndpoint.run((first) -> runner().run((second) -> {
			BookService firstBooks = first.getBean(BookService.class);
			BookService secondBooks = second.getBean(BookService.class);
			firstBooks.title("isbn-1");
			CachesEndpoint endpoint = first.getBean(CachesEndpoint.class);
			assertThat(endpoint.caches().getCacheManagers().get("cacheManager").getCaches()).containsKey("books");
			assertThat(endpoint.clearCache("books", null)).isTrue();
			secondBooks.title("isbn-1");
			assertThat(secondBooks.loads()).isEqualTo(1);
		}));
	}

	@Configuration(proxyBeanMethods = false)
	static class BookServiceConfiguration {

		@Bean
		BookService bookService() {
			return new BookService();
		}

	}

	static class BookService {

		final AtomicInteger loads = new AtomicInteger();

		final CountDownLatch release = new CountDownLatch(1);

		@Cacheable("books")
		public String title(String isbn) {
			this.loads.incrementAndGet();
			return "Title of " + isbn;
		}

		@Cacheable(cacheNames = "books", sync = true)
		public String slowTitle(String isbn) throws InterruptedException {
			this.loads.incrementAndGet();
			this.release.await(10, TimeUnit.SECONDS);
			return "Slow title of " + isbn;
		}

		@Cacheable("books")
		public CompletableFuture<String> asyncTitle(String isbn) {
			this.loads.incrementAndGet();
			return CompletableFuture.supplyAsync(() -> "Async title of " + isbn);
		}

		@CacheEvict(cacheNames = "books", allEntries = true)
		public void clearAll() {
		}

		public int loads() {
			return this.loads.get();
		}

		public void release() {
			this.release.countDown();
		}

	}

}
