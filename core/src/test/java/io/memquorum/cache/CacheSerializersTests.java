package io.memquorum.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.test.MemcachedClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The restart and concurrency guarantees of the cache hold with either value serializer,
 * on three real memcached nodes.
 */
class CacheSerializersTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private final List<ReplicatedMemcached> engines = new ArrayList<>();

	@AfterEach
	void close() {
		this.engines.forEach(ReplicatedMemcached::close);
	}

	static Stream<Arguments> serializers() {
		return Stream.of(
				Arguments.of("jdk",
						(Supplier<CacheValueSerializer>) () -> new AllowListJdkSerializer(
								List.of("io.memquorum.cache"))),
				Arguments.of("json", (Supplier<CacheValueSerializer>) () -> new JsonCacheValueSerializer(
						List.of("io.memquorum.cache"), null)));
	}

	private MemquorumCache cache(CacheValueSerializer serializer) {
		ReplicatedMemcached engine = ReplicatedMemcached.builder()
			.servers(memcached.cluster().addresses())
			.operationTimeout(Duration.ofSeconds(1))
			.probeInterval(Duration.ofMillis(50))
			.maxProbeInterval(Duration.ofMillis(400))
			.restartCheckInterval(Duration.ofMillis(300))
			.reconnectInterval(Duration.ofMillis(200))
			.build();
		this.engines.add(engine);
		return new MemquorumCache("books", engine, MemquorumCacheConfiguration.defaults().withSerializer(serializer));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("serializers")
	void aValueSurvivesTheRestartOfOneNodeEmptyAndIsReadByAnotherInstance(String name,
			Supplier<CacheValueSerializer> serializer) {
		MemquorumCache writer = cache(serializer.get());
		Book book = new Book("isbn-1", "Dune", List.of("sf"));
		writer.put("isbn-1", book);
		// A put returns at quorum: wait for the third replica before killing one.
		String key = writer.storageKey("isbn-1");
		await().untilAsserted(
				() -> memcached.cluster().nodes().forEach((node) -> assertThat(node.rawGet(key)).isNotNull()));
		memcached.cluster().node(0).restartEmpty();
		MemquorumCache reader = cache(serializer.get());
		for (int i = 0; i < 20; i++) {
			assertThat(reader.get("isbn-1", Book.class)).isEqualTo(book);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("serializers")
	void concurrentLoadsOfOneKeyCallTheLoaderOnceAndEveryCallerGetsTheValue(String name,
			Supplier<CacheValueSerializer> serializer) throws Exception {
		MemquorumCache cache = cache(serializer.get());
		AtomicInteger loads = new AtomicInteger();
		CountDownLatch release = new CountDownLatch(1);
		ExecutorService callers = Executors.newFixedThreadPool(10);
		List<CompletableFuture<Book>> results = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			results.add(CompletableFuture.supplyAsync(() -> cache.get("k", () -> {
				loads.incrementAndGet();
				release.await(5, TimeUnit.SECONDS);
				return new Book("k", "Loaded", List.of());
			}), callers));
		}
		await().until(() -> loads.get() == 1);
		release.countDown();
		for (CompletableFuture<Book> result : results) {
			assertThat(result.get(5, TimeUnit.SECONDS)).isEqualTo(new Book("k", "Loaded", List.of()));
		}
		callers.shutdown();
		assertThat(loads).hasValue(1);
		assertThat(cache(serializer.get()).get("k", Book.class)).isEqualTo(new Book("k", "Loaded", List.of()));
	}

	record Book(String isbn, String title, List<String> tags) implements java.io.Serializable {
	}

}
