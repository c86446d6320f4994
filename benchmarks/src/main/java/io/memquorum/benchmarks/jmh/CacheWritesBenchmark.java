package io.memquorum.benchmarks.jmh;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.memquorum.benchmarks.KeyValueStore;
import io.memquorum.benchmarks.servers.RedisServer;
import io.memquorum.test.MemcachedCluster;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Measurements 4m and 4e: the two {@code @Cacheable} paths that write, through the Spring
 * proxy, memquorum's Spring Cache (three nodes, R = 3, MAJORITY writes) against Spring
 * Data Redis's {@code RedisCacheManager} as Spring Boot configures it
 * ({@link CachedCatalog}), 16 threads, 1 KB values.
 * <ul>
 * <li>{@link #missThenLoad}: a key never asked for before, so the cache misses, the
 * method runs and its value is stored. memquorum reads the entry and the generation, then
 * writes the entry to a quorum; Redis sends a {@code GET} and a {@code SET}. redis-server
 * runs with {@code --maxmemory 256mb} and LRU eviction and each memcached node has 64 MB,
 * so both drop old entries as the run fills them.</li>
 * <li>{@link #evict}: {@code @CacheEvict} of a workload key (Zipf). The cache is filled
 * before measuring; after the first few thousand evictions most keys are absent, which
 * changes nothing on the wire: Redis sends one {@code DEL}, memquorum one quorum delete
 * (a tombstone on every replica) either way.</li>
 * </ul>
 *
 * <p>
 * Run it with the whole comparison: {@code benchmarks/run}. Alone, after
 * {@code ./mvnw -q -pl benchmarks -am package -DskipTests}: <pre>
 * java -cp 'benchmarks/target/classes:benchmarks/target/lib/*' org.openjdk.jmh.Main CacheWritesBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(16)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@Warmup(iterations = 8, time = 2)
@Measurement(iterations = 4, time = 2)
public class CacheWritesBenchmark {

	/** Which cache: {@code redis-cache} (RedisCacheManager) or {@code memquorum}. */
	@Param({ "redis-cache", "memquorum" })
	public String cache = "memquorum";

	private @Nullable MemcachedCluster cluster;

	private KeyValueStore.@Nullable Memquorum store;

	private @Nullable RedisServer redis;

	private @Nullable CachedCatalog context;

	private CachedCatalog.@Nullable Catalog catalog;

	@Setup(Level.Trial)
	public void startNodesAndFillTheCache() {
		MemcachedCluster cluster = MemcachedCluster.start(3);
		this.cluster = cluster;
		switch (this.cache) {
			case "memquorum" -> {
				KeyValueStore.Memquorum store = KeyValueStore.memquorum(cluster.servers());
				this.store = store;
				this.context = CachedCatalog.memquorum(store.engine());
			}
			case "redis-cache" -> {
				this.redis = RedisServer.start(List.of("--maxmemory", "256mb", "--maxmemory-policy", "allkeys-lru"));
				this.context = CachedCatalog.redis(this.redis);
			}
			default -> throw new IllegalArgumentException("Unknown cache '" + this.cache + "'");
		}
		this.catalog = this.context.catalog();
		for (String key : Workload.keys()) {
			this.catalog.item(key);
		}
	}

	/**
	 * A miss on a new key, the method's load, and the store of its value.
	 * @param keys this thread's fresh keys
	 * @return the loaded value
	 */
	@Benchmark
	public byte[] missThenLoad(FreshKeys keys) {
		return this.catalog.item(keys.next());
	}

	/**
	 * An eviction of a workload key.
	 * @param cursor this thread's position in the Zipf sequence
	 */
	@Benchmark
	public void evict(KeyCursor cursor) {
		this.catalog.evict(cursor.next());
	}

	@TearDown(Level.Trial)
	public void stopNodes() {
		Stores.close(this.context, this.store, this.cluster, this.redis);
	}

	/** Keys no thread has used: a random prefix per thread and a counter. */
	@State(Scope.Thread)
	public static class FreshKeys {

		private final String prefix = "bench:new:" + UUID.randomUUID() + ":";

		private long next;

		String next() {
			return this.prefix + this.next++;
		}

	}

}
