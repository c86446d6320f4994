package io.memquorum.cache;

import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.memquorum.engine.Envelope;
import io.memquorum.refill.RefillStatus;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.cache.Cache.ValueWrapper;
import org.springframework.cache.support.NullValue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The cost of a hit, leases, and the points of Spring's cache contract that its own test
 * suites found, on three real memcached nodes.
 */
class MemquorumCacheContractTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private final List<ReplicatedMemcached> engines = new ArrayList<>();

	@AfterEach
	void closeEngines() {
		this.engines.forEach(ReplicatedMemcached::close);
	}

	private MemquorumCache cache(MemquorumCacheConfiguration configuration, Duration operationTimeout) {
		ReplicatedMemcached engine = ReplicatedMemcached.builder()
			.servers(memcached.cluster().addresses())
			.operationTimeout(operationTimeout)
			.probeInterval(Duration.ofMillis(50))
			.maxProbeInterval(Duration.ofMillis(400))
			.restartCheckInterval(Duration.ofMillis(300))
			.reconnectInterval(Duration.ofMillis(200))
			.build();
		this.engines.add(engine);
		return new MemquorumCache("books", engine, configuration);
	}

	private MemquorumCache cache(MemquorumCacheConfiguration configuration) {
		return cache(configuration, Duration.ofMillis(300));
	}

	private MemquorumCache cache() {
		return cache(MemquorumCacheConfiguration.defaults());
	}

	@Test
	void aHitIsOneRoundTripToOneReplicaReadingTwoKeys() {
		MemquorumCache cache = cache();
		cache.put("k", "v");
		String entryKey = cache.getNativeCache().keyEncoder().encode(cache.storageKey("k"));
		await().until(() -> memcached.cluster().nodes().stream().allMatch((node) -> node.rawGet(entryKey) != null));
		MemquorumCache reader = cache();
		assertThat(reader.get("k", String.class)).isEqualTo("v");
		// Counted from memcached's own counters: no refill of either engine may read
		// meanwhile.
		for (MemquorumCache engineOf : List.of(cache, reader)) {
			await().atMost(Duration.ofSeconds(20))
				.until(() -> engineOf.getNativeCache()
					.refillStatus()
					.stream()
					.allMatch((status) -> status.phase() == RefillStatus.Phase.COMPLETE));
		}
		for (int i = 0; i < 10; i++) {
			long[] before = keysRead();
			assertThat(reader.get("k", String.class)).isEqualTo("v");
			long[] after = keysRead();
			int asked = 0;
			long keys = 0;
			for (int node = 0; node < before.length; node++) {
				if (after[node] != before[node]) {
					asked++;
					keys += after[node] - before[node];
				}
			}
			assertThat(asked).as("replicas asked by one hit").isEqualTo(1);
			assertThat(keys).as("keys read by one hit").isEqualTo(2);
		}
	}

	/** Keys each node was asked for so far (memcached counts every key of a get). */
	private static long[] keysRead() {
		List<MemcachedNode> nodes = memcached.cluster().nodes();
		long[] keys = new long[nodes.size()];
		for (int i = 0; i < keys.length; i++) {
			keys[i] = Long.parseLong(nodes.get(i).stats().get("cmd_get").trim());
		}
		return keys;
	}

	@Test
	void aNullValueOtherThanTheSharedInstanceIsCachedAsNull() throws Exception {
		Constructor<NullValue> constructor = NullValue.class.getDeclaredConstructor();
		constructor.setAccessible(true);
		NullValue another = constructor.newInstance();
		assertThat(another).isNotSameAs(NullValue.INSTANCE);
		MemquorumCache cache = cache();
		cache.put("k", another);
		ValueWrapper found = cache().get("k");
		assertThat(found).isNotNull();
		assertThat(found.get()).isNull();
		assertThat(cache.getStatistics().unreadable()).isZero();
	}

	@Test
	void aPutRightAfterEveryNodeLostItsDataIsReadBackAtOnce() {
		MemquorumCache cache = cache();
		cache.put("a", "1");
		assertThat(cache.get("a", String.class)).isEqualTo("1");
		// Every node flushed: the generation this instance remembers exists nowhere.
		memcached.cluster().flushAll();
		cache.put("b", "2");
		assertThat(cache.get("b", String.class)).isEqualTo("2");
		assertThat(cache().get("b", String.class)).isEqualTo("2");
		// Whether "a" is still found depends on whether refill copied it back between
		// the flushes of two nodes: it was never cleared, so either answer is right.
	}

	@Test
	void everyNodeRestartedEmptyStillLetsAPutBeReadBack() {
		MemquorumCache cache = cache();
		cache.put("a", "1");
		memcached.cluster().nodes().forEach(MemcachedNode::restartEmpty);
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			cache.put("b", "2");
			assertThat(cache.get("b", String.class)).isEqualTo("2");
		});
	}

	@Test
	void aJvmReadsItsOwnWriteRightAfterAnAsynchronousLoad() throws Exception {
		MemquorumCache cache = cache();
		ExecutorService loaders = Executors.newFixedThreadPool(2);
		try {
			AtomicInteger loads = new AtomicInteger();
			for (int i = 0; i < 30; i++) {
				String key = "k" + i;
				String loaded = cache.retrieve(key, () -> CompletableFuture.supplyAsync(() -> {
					loads.incrementAndGet();
					return "v-" + key;
				}, loaders)).get(5, TimeUnit.SECONDS);
				assertThat(loaded).isEqualTo("v-" + key);
				Object found = cache.retrieve(key).get(5, TimeUnit.SECONDS);
				assertThat(found).isInstanceOf(ValueWrapper.class);
				assertThat(((ValueWrapper) found).get()).isEqualTo("v-" + key);
			}
			assertThat(loads).hasValue(30);
		}
		finally {
			loaders.shutdownNow();
		}
	}

	@Test
	void retrieveWithALoaderNeverHoldsAnExecutorThreadWhileMemcachedIsSlow() throws Exception {
		// Every task the cache runs on its executor is timed: none may wait for
		// memcached.
		AtomicLong longestTaskNanos = new AtomicLong();
		ExecutorService pool = Executors.newSingleThreadExecutor();
		Executor timed = (task) -> pool.execute(() -> {
			long start = System.nanoTime();
			try {
				task.run();
			}
			finally {
				longestTaskNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
			}
		});
		MemquorumCache cache = cache(MemquorumCacheConfiguration.defaults().withAsyncExecutor(timed),
				Duration.ofSeconds(1));
		List<MemcachedNode> paused = List.of(memcached.cluster().node(1), memcached.cluster().node(2));
		try {
			long started = System.nanoTime();
			CompletableFuture<String> result = cache.retrieve("k", () -> {
				// Two of three nodes hang after the read: the store waits for its quorum
				// until the operation timeout.
				paused.forEach(MemcachedNode::pause);
				return CompletableFuture.completedFuture("v");
			});
			assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("v");
			long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
			assertThat(elapsedMillis).as("the store waited for memcached").isGreaterThanOrEqualTo(900);
			assertThat(TimeUnit.NANOSECONDS.toMillis(longestTaskNanos.get())).as("longest executor task, ms")
				.isLessThan(500);
		}
		finally {
			paused.forEach(MemcachedNode::resume);
			pool.shutdownNow();
		}
	}

	@Test
	void aReleasedLeaseLeavesNoTombstoneAndIsGoneWithinSeconds() {
		MemquorumCache cache = cache(MemquorumCacheConfiguration.defaults().withLeaseTtl(Duration.ofSeconds(30)));
		assertThat(cache.get("k", () -> "v")).isEqualTo("v");
		String leaseKey = cache.getNativeCache()
			.keyEncoder()
			.encode("books::" + MemquorumCache.LEASE_INFIX + cache.storageKey("k").substring("books::".length()));
		// The release returns at quorum: once it settled, every replica holds a
		// short-lived
		// absent marker or nothing, never a tombstone.
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			for (MemcachedNode node : memcached.cluster().nodes()) {
				byte[] raw = node.rawGet(leaseKey);
				if (raw != null) {
					Envelope envelope = Envelope.decode(Envelope.FLAGS, raw);
					assertThat(envelope).isNotNull();
					assertThat(envelope.kind()).isEqualTo(Envelope.Kind.ABSENT);
				}
			}
		});
		await().atMost(Duration.ofSeconds(5))
			.until(() -> memcached.cluster().nodes().stream().allMatch((node) -> node.rawGet(leaseKey) == null));
		// The next load takes a lease again at once.
		cache.evict("k");
		assertThat(cache.get("k", () -> "again")).isEqualTo("again");
	}

	@Test
	void aLoadReleasesOnlyItsOwnLease() throws Exception {
		MemquorumCache cache = cache(MemquorumCacheConfiguration.defaults().withLeaseTtl(Duration.ofSeconds(30)));
		ReplicatedMemcached engine = cache.getNativeCache();
		String leaseKey = "books::" + MemquorumCache.LEASE_INFIX + cache.storageKey("k").substring("books::".length());
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		ExecutorService caller = Executors.newSingleThreadExecutor();
		try {
			CompletableFuture<String> load = CompletableFuture.supplyAsync(() -> cache.get("k", () -> {
				loading.countDown();
				release.await(5, TimeUnit.SECONDS);
				return "v";
			}), caller);
			assertThat(loading.await(5, TimeUnit.SECONDS)).isTrue();
			// Meanwhile the lease expired and another instance took it.
			byte[] theirs = "another-instance".getBytes(StandardCharsets.US_ASCII);
			engine.set(leaseKey, theirs, Duration.ofSeconds(30));
			release.countDown();
			assertThat(load.get(5, TimeUnit.SECONDS)).isEqualTo("v");
			assertThat(engine.get(leaseKey)).isEqualTo(theirs);
		}
		finally {
			release.countDown();
			caller.shutdownNow();
		}
	}

}
