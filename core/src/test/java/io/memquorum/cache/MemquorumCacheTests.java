package io.memquorum.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.memquorum.engine.Envelope;
import io.memquorum.engine.QuorumNotReachedException;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.cache.Cache.ValueWrapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The cache on three real memcached nodes; every cache here stands for one application
 * instance with its own engine.
 */
class MemquorumCacheTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private final List<ReplicatedMemcached> engines = new ArrayList<>();

	@AfterEach
	void closeEngines() {
		this.engines.forEach(ReplicatedMemcached::close);
	}

	private MemquorumCache cache(MemquorumCacheConfiguration configuration) {
		ReplicatedMemcached engine = ReplicatedMemcached.builder()
			.servers(memcached.cluster().addresses())
			.operationTimeout(Duration.ofMillis(300))
			.probeInterval(Duration.ofMillis(50))
			.maxProbeInterval(Duration.ofMillis(400))
			.restartCheckInterval(Duration.ofMillis(300))
			.reconnectInterval(Duration.ofMillis(200))
			.build();
		this.engines.add(engine);
		return new MemquorumCache("books", engine, configuration);
	}

	private MemquorumCache cache() {
		return cache(MemquorumCacheConfiguration.defaults()
			.withSerializer(new AllowListJdkSerializer(List.of("io.memquorum.cache"))));
	}

	@Test
	void aPutValueIsReadBackByAnotherInstanceAndStoredOnEveryReplica() {
		MemquorumCache writer = cache();
		MemquorumCache reader = cache();
		writer.put(new BookId("isbn-1"), "Dune");
		assertThat(reader.get(new BookId("isbn-1"), String.class)).isEqualTo("Dune");
		String key = writer.storageKey(new BookId("isbn-1"));
		// A put returns at quorum: wait for the third replica.
		await()
			.untilAsserted(() -> memcached.cluster().nodes().forEach((node) -> assertThat(node.keys()).isNotEmpty()));
		assertThat(key).startsWith("books::#");
	}

	@Test
	void aCachedNullIsAHitWithANullValue() {
		MemquorumCache cache = cache();
		cache.put("missing", null);
		ValueWrapper wrapper = cache.get("missing");
		assertThat(wrapper).isNotNull();
		assertThat(wrapper.get()).isNull();
	}

	@Test
	void nullValuesAreRejectedWhenTheCacheDoesNotAllowThem() {
		MemquorumCache cache = cache(MemquorumCacheConfiguration.defaults().withAllowNullValues(false));
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> cache.put("missing", null));
	}

	@Test
	void clearOnOneInstanceMakesEveryEntryAMissOnAnother() {
		MemquorumCache one = cache();
		MemquorumCache other = cache();
		one.put("a", "1");
		other.put("b", "2");
		assertThat(other.get("a", String.class)).isEqualTo("1");
		one.clear();
		assertThat(other.get("a")).isNull();
		assertThat(other.get("b")).isNull();
		other.put("c", "3");
		assertThat(one.get("c", String.class)).isEqualTo("3");
	}

	@Test
	void aClearIsSeenAtOnceEvenByReadsThatAskAReplicaStillHoldingTheOldGeneration() {
		MemquorumCache cache = cache();
		cache.put("a", "1");
		ReplicatedMemcached engine = cache.getNativeCache();
		String generationKey = engine.keyEncoder().encode("books::" + MemquorumCache.GENERATION_SUFFIX);
		MemcachedNode lagging = memcached.cluster().node(2);
		await().until(() -> lagging.rawGet(generationKey) != null);
		byte[] oldGeneration = lagging.rawGet(generationKey);
		cache.clear();
		// The replica has not applied the clear yet, as in the moment after a write
		// quorum
		// of the other two acknowledged it.
		lagging.rawSet(generationKey, oldGeneration, Envelope.FLAGS, 0);
		MemquorumCache reader = cache();
		for (int i = 0; i < 30; i++) {
			assertThat(reader.get("a")).isNull();
		}
	}

	@Test
	void aReplicaStillHoldingAnEntryOfTheOldGenerationDoesNotTurnAFreshEntryIntoAMiss() {
		MemquorumCache cache = cache();
		cache.put("a", "old");
		ReplicatedMemcached engine = cache.getNativeCache();
		String entryKey = engine.keyEncoder().encode(cache.storageKey("a"));
		MemcachedNode lagging = memcached.cluster().node(2);
		// The put returned at quorum: wait for the third replica before reading it.
		await().until(() -> lagging.rawGet(entryKey) != null);
		byte[] oldEntry = lagging.rawGet(entryKey);
		cache.clear();
		cache.put("a", "new");
		lagging.rawSet(entryKey, oldEntry, Envelope.FLAGS, 0);
		MemquorumCache reader = cache();
		for (int i = 0; i < 30; i++) {
			assertThat(reader.get("a", String.class)).isEqualTo("new");
		}
		assertThat(reader.getStatistics().misses()).isZero();
	}

	@Test
	void theGenerationSurvivesTheRestartOfOneNodeEmpty() {
		MemquorumCache cache = cache();
		cache.put("a", "1");
		memcached.cluster().node(0).restartEmpty();
		MemquorumCache fresh = cache();
		for (int i = 0; i < 20; i++) {
			assertThat(fresh.get("a", String.class)).isEqualTo("1");
		}
	}

	@Test
	void putIfAbsentStoresOnlyTheFirstValueAcrossInstances() {
		MemquorumCache one = cache();
		MemquorumCache other = cache();
		assertThat(one.putIfAbsent("k", "first")).isNull();
		ValueWrapper existing = other.putIfAbsent("k", "second");
		assertThat(existing).isNotNull();
		assertThat(existing.get()).isEqualTo("first");
		assertThat(one.get("k", String.class)).isEqualTo("first");
	}

	@Test
	void putIfAbsentTreatsAnEntryOfAnOlderGenerationAsAbsent() {
		MemquorumCache cache = cache();
		cache.put("k", "old");
		cache.clear();
		assertThat(cache.putIfAbsent("k", "new")).isNull();
		assertThat(cache.get("k", String.class)).isEqualTo("new");
	}

	@Test
	void evictIfPresentSaysWhetherTheEntryExisted() {
		MemquorumCache cache = cache();
		cache.put("k", "v");
		assertThat(cache.evictIfPresent("k")).isTrue();
		assertThat(cache.evictIfPresent("k")).isFalse();
		assertThat(cache.get("k")).isNull();
		assertThat(cache.getStatistics().evictions()).isEqualTo(1);
	}

	@Test
	void aValueWhoseClassChangedReadsAsAMissAndIsCounted() {
		MemquorumCache cache = cache();
		cache.put("price", new AllowListJdkSerializerTests.OldPrice(7));
		ReplicatedMemcached engine = cache.getNativeCache();
		String key = cache.storageKey("price");
		engine.set(key, AllowListJdkSerializerTests.ChangedClass.asNewPrice(engine.get(key)), Duration.ZERO);
		assertThat(cache.get("price")).isNull();
		assertThat(cache.getStatistics().unreadable()).isEqualTo(1);
		AtomicInteger loads = new AtomicInteger();
		assertThat(cache.get("price", () -> loads.incrementAndGet())).isEqualTo(1);
		assertThat(cache.get("price", () -> loads.incrementAndGet())).isEqualTo(1);
	}

	@Test
	void withTwoOfThreeNodesKilledReadsMissAndWritesAreSkippedWithoutAnError() {
		MemquorumCache cache = cache();
		memcached.cluster().node(0).kill();
		memcached.cluster().node(1).kill();
		AtomicInteger loads = new AtomicInteger();
		assertThat(cache.get("k", () -> "loaded " + loads.incrementAndGet())).isEqualTo("loaded 1");
		cache.put("k", "v");
		assertThat(cache.getStatistics().degraded()).isPositive();
	}

	@Test
	void withPassThroughOffAFailedReadReachesTheCaller() {
		MemquorumCache cache = cache(MemquorumCacheConfiguration.defaults().withPassThroughOnFailure(false));
		memcached.cluster().node(0).kill();
		memcached.cluster().node(1).kill();
		memcached.cluster().node(2).kill();
		assertThatExceptionOfType(QuorumNotReachedException.class).isThrownBy(() -> cache.get("k"));
	}

	@Test
	void anEvictionThatMissesItsQuorumIsRaisedSoThatNoStaleEntryGoesUnnoticed() {
		MemquorumCache cache = cache();
		cache.put("k", "v");
		memcached.cluster().node(0).kill();
		memcached.cluster().node(1).kill();
		assertThatExceptionOfType(QuorumNotReachedException.class).isThrownBy(() -> cache.evict("k"));
	}

	@Test
	void concurrentLoadsOfOneKeyInOneInstanceCallTheLoaderOnce() throws Exception {
		MemquorumCache cache = cache();
		AtomicInteger loads = new AtomicInteger();
		CountDownLatch release = new CountDownLatch(1);
		List<CompletableFuture<String>> callers = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			callers.add(CompletableFuture.supplyAsync(() -> cache.get("k", () -> {
				loads.incrementAndGet();
				release.await(5, TimeUnit.SECONDS);
				return "v";
			})));
		}
		await().until(() -> loads.get() == 1);
		release.countDown();
		for (CompletableFuture<String> caller : callers) {
			assertThat(caller.get(5, TimeUnit.SECONDS)).isEqualTo("v");
		}
		assertThat(loads).hasValue(1);
	}

	@Test
	void aLeaseMakesAnotherInstanceWaitForTheFirstLoadInsteadOfLoadingItself() throws Exception {
		MemquorumCacheConfiguration leased = MemquorumCacheConfiguration.defaults().withLeaseTtl(Duration.ofSeconds(5));
		MemquorumCache one = cache(leased);
		MemquorumCache other = cache(leased);
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		// Two threads of its own: the common pool has a single worker on two cores, and
		// the
		// first caller blocks in its loader.
		ExecutorService callers = Executors.newFixedThreadPool(2);
		CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> one.get("k", () -> {
			loading.countDown();
			release.await(5, TimeUnit.SECONDS);
			return "from one";
		}), callers);
		assertThat(loading.await(5, TimeUnit.SECONDS)).isTrue();
		AtomicInteger otherLoads = new AtomicInteger();
		CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> other.get("k", () -> {
			otherLoads.incrementAndGet();
			return "from other";
		}), callers);
		try {
			await().until(() -> other.getStatistics().leaseWaits() == 1);
			release.countDown();
			assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("from one");
			assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("from one");
			assertThat(otherLoads).hasValue(0);
		}
		finally {
			release.countDown();
			callers.shutdownNow();
		}
	}

	@Test
	void retrieveCompletesWithAWrapperOnAHitAndNullOnAMiss() throws Exception {
		MemquorumCache cache = cache();
		assertThat(cache.retrieve("k").get(5, TimeUnit.SECONDS)).isNull();
		cache.put("k", "v");
		Object hit = cache.retrieve("k").get(5, TimeUnit.SECONDS);
		assertThat(hit).isInstanceOf(ValueWrapper.class);
		assertThat(((ValueWrapper) hit).get()).isEqualTo("v");
	}

	@Test
	void retrieveWithALoaderLoadsOnceAndStores() throws Exception {
		MemquorumCache cache = cache();
		AtomicInteger loads = new AtomicInteger();
		assertThat(cache.retrieve("k", () -> CompletableFuture.supplyAsync(() -> "v" + loads.incrementAndGet()))
			.get(5, TimeUnit.SECONDS)).isEqualTo("v1");
		assertThat(cache.retrieve("k", () -> CompletableFuture.supplyAsync(() -> "v" + loads.incrementAndGet()))
			.get(5, TimeUnit.SECONDS)).isEqualTo("v1");
		assertThat(loads).hasValue(1);
	}

	@Test
	void aValueOverTheItemSizeLimitIsNotCachedAndIsCounted() {
		MemquorumCache cache = cache();
		cache.put("big", new byte[2 * 1024 * 1024]);
		assertThat(cache.get("big")).isNull();
		assertThat(cache.getStatistics().oversized()).isEqualTo(1);
	}

	@Test
	void entriesExpireAfterTheirTtl() {
		MemquorumCache cache = cache(MemquorumCacheConfiguration.defaults().withTtl(Duration.ofSeconds(1)));
		cache.put("k", "v");
		assertThat(cache.get("k", String.class)).isEqualTo("v");
		await().atMost(Duration.ofSeconds(5)).until(() -> cache.get("k") == null);
	}

	record BookId(String isbn) {
	}

}
