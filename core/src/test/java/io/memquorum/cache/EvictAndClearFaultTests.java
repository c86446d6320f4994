package io.memquorum.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

import io.memquorum.engine.QuorumNotReachedException;
import io.memquorum.engine.ReadConsistency;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.test.TcpProxy;
import io.memquorum.test.MemcachedClusterExtension;
import io.memquorum.test.MemcachedNode;
import io.memquorum.test.TcpProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Evictions and clears stay final when a replica misses them or missed the write before
 * them, on three real memcached nodes. Every cache here stands for one application
 * instance with its own engine.
 */
class EvictAndClearFaultTests {

	@RegisterExtension
	static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	private static final int KEYS = 30;

	private final List<AutoCloseable> open = new ArrayList<>();

	@AfterEach
	void closeAll() throws Exception {
		for (AutoCloseable closeable : this.open) {
			closeable.close();
		}
	}

	private ReplicatedMemcached engine(UnaryOperator<ReplicatedMemcached.Builder> customizer) {
		ReplicatedMemcached.Builder builder = ReplicatedMemcached.builder()
			.servers(memcached.cluster().addresses())
			.operationTimeout(Duration.ofMillis(300))
			.probeInterval(Duration.ofMillis(50))
			.maxProbeInterval(Duration.ofMillis(400))
			.restartCheckInterval(Duration.ofMillis(300))
			.reconnectInterval(Duration.ofMillis(200));
		ReplicatedMemcached engine = customizer.apply(builder).build();
		this.open.add(engine);
		return engine;
	}

	private MemquorumCache cache(UnaryOperator<ReplicatedMemcached.Builder> customizer) {
		return new MemquorumCache("books", engine(customizer), MemquorumCacheConfiguration.defaults());
	}

	private MemquorumCache cache() {
		return cache((builder) -> builder);
	}

	/** A cache whose engine reaches the third node at {@code address}. */
	private MemquorumCache cacheReachingThirdNodeAt(String address) {
		List<String> servers = new ArrayList<>(memcached.cluster().addresses());
		servers.set(2, address);
		return cache((builder) -> builder.servers(servers));
	}

	private static String wireKey(MemquorumCache cache, String storageKey) {
		return cache.getNativeCache().keyEncoder().encode(storageKey);
	}

	@Test
	void aClearIsNotUndoneOnTheClearingInstanceByAReplicaThatAnsweredTheNewGenerationWithAnErrorReply() {
		TcpProxy proxy = TcpProxy.to(memcached.cluster().node(2));
		this.open.add(proxy);
		MemquorumCache clearing = cacheReachingThirdNodeAt(proxy.address());
		for (int i = 0; i < KEYS; i++) {
			clearing.put("k" + i, "before the clear");
		}
		MemcachedNode third = memcached.cluster().node(2);
		// Puts return at quorum: wait until the third node holds every entry.
		await().until(() -> {
			for (int i = 0; i < KEYS; i++) {
				if (third.rawGet(wireKey(clearing, clearing.storageKey("k" + i))) == null) {
					return false;
				}
			}
			return true;
		});
		String generationKey = wireKey(clearing, "books::" + MemquorumCache.GENERATION_SUFFIX);
		proxy.failWritesOf(generationKey::equals);
		clearing.clear();
		// The third node answered the new generation, and every replay of its hint, with
		// an error reply: it keeps the old generation and every pre-clear entry, and
		// stays up for reads of those entries.
		assertThat(proxy.errorsCaused()).isPositive();
		assertThat(third.rawGet(generationKey)).isNotEqualTo(memcached.cluster().node(0).rawGet(generationKey));
		for (int round = 0; round < 3; round++) {
			for (int i = 0; i < KEYS; i++) {
				assertThat(clearing.get("k" + i)).as("k%d, round %d", i, round).isNull();
			}
		}
		// The instance kept the new generation: what it writes now, another reads.
		clearing.put("after", "v");
		assertThat(cache().get("after", String.class)).isEqualTo("v");
		proxy.healWrites();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> Arrays.equals(third.rawGet(generationKey), memcached.cluster().node(0).rawGet(generationKey)));
		for (int i = 0; i < KEYS; i++) {
			assertThat(clearing.get("k" + i)).isNull();
		}
	}

	@Test
	void evictIfPresentDeletesAnEntryWhenAReplicaMissedItsLastWriteAndStillHoldsAnOlderTombstone() {
		TcpProxy proxy = TcpProxy.to(memcached.cluster().node(2));
		this.open.add(proxy);
		MemquorumCache writer = cacheReachingThirdNodeAt(proxy.address());
		MemcachedNode third = memcached.cluster().node(2);
		MemcachedNode first = memcached.cluster().node(0);
		for (int i = 0; i < KEYS; i++) {
			writer.put("k" + i, "first");
			writer.evict("k" + i);
		}
		// Wait until the third node holds the same tombstone as the first for every key.
		await().until(() -> {
			for (int i = 0; i < KEYS; i++) {
				String key = wireKey(writer, writer.storageKey("k" + i));
				if (!Arrays.equals(third.rawGet(key), first.rawGet(key))) {
					return false;
				}
			}
			return true;
		});
		// Fault: a one-sided partition cuts the writer off the third node, and the writer
		// stops before it could replay its hints. The third node keeps the tombstone.
		proxy.partition();
		for (int i = 0; i < KEYS; i++) {
			writer.put("k" + i, "second");
		}
		writer.getNativeCache().close();
		proxy.heal();
		MemquorumCache evicting = cache();
		for (int i = 0; i < KEYS; i++) {
			assertThat(evicting.evictIfPresent("k" + i)).as("k%d was there", i).isTrue();
		}
		MemquorumCache majorityReader = cache((builder) -> builder.readConsistency(ReadConsistency.MAJORITY));
		for (int i = 0; i < KEYS; i++) {
			assertThat(majorityReader.get("k" + i)).as("k%d", i).isNull();
		}
	}

	@Test
	void evictIfPresentRaisesItsFailureWhenEveryNodeIsKilled() {
		MemquorumCache cache = cache();
		cache.put("k", "v");
		memcached.cluster().nodes().forEach(MemcachedNode::kill);
		assertThatExceptionOfType(QuorumNotReachedException.class).isThrownBy(() -> cache.evictIfPresent("k"));
	}

}
