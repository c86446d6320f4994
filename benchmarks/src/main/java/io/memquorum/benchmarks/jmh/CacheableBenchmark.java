package io.memquorum.benchmarks.jmh;

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
 * Measurements 4 and 4r: a {@code @Cacheable} method whose every call hits, through the
 * Spring proxy (1 KB {@code byte[]} values, JDK-serialized), 16 threads, Zipf keys.
 * <ul>
 * <li>{@code cacheable}: memquorum's Spring Cache on three nodes, R = 3.</li>
 * <li>{@code engine} (baseline of 4): the engine's raw {@code get} of the same bytes.
 * Target: the cacheable hit reaches at least 0.85 times its operations per second.</li>
 * <li>{@code redis-cache} (baseline of 4r): the same service cached by Spring Data
 * Redis's {@code RedisCacheManager} (Lettuce, a local redis-server), as Spring Boot
 * configures it by default ({@link CachedCatalog}). Target: memquorum reaches at least
 * 1.5 times its operations per second.</li>
 * </ul>
 * Three memcached nodes run on every side, so the machine carries the same processes.
 *
 * <p>
 * Run it with the whole comparison: {@code benchmarks/run}. Alone, after
 * {@code ./mvnw -q -pl benchmarks -am package -DskipTests}: <pre>
 * java -cp 'benchmarks/target/classes:benchmarks/target/lib/*' org.openjdk.jmh.Main CacheableBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(16)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@Warmup(iterations = 8, time = 2)
@Measurement(iterations = 4, time = 2)
public class CacheableBenchmark {

	/**
	 * Which path: {@code engine} (raw get), {@code cacheable} (memquorum through the
	 * Spring proxy) or {@code redis-cache} (RedisCacheManager through the Spring proxy).
	 */
	@Param({ "engine", "cacheable", "redis-cache" })
	public String path = "cacheable";

	private @Nullable MemcachedCluster cluster;

	private KeyValueStore.@Nullable Memquorum store;

	private @Nullable RedisServer redis;

	private @Nullable CachedCatalog context;

	private CachedCatalog.@Nullable Catalog catalog;

	@Setup(Level.Trial)
	public void startNodesAndFillTheCache() {
		MemcachedCluster cluster = MemcachedCluster.start(3);
		this.cluster = cluster;
		KeyValueStore.Memquorum store = KeyValueStore.memquorum(cluster.servers());
		this.store = store;
		switch (this.path) {
			case "engine" -> Stores.populate(store);
			case "cacheable" -> fill(CachedCatalog.memquorum(store.engine()));
			case "redis-cache" -> {
				this.redis = RedisServer.start();
				fill(CachedCatalog.redis(this.redis));
			}
			default -> throw new IllegalArgumentException("Unknown path '" + this.path + "'");
		}
	}

	private void fill(CachedCatalog context) {
		this.context = context;
		CachedCatalog.Catalog catalog = context.catalog();
		for (String key : Workload.keys()) {
			catalog.item(key);
		}
		this.catalog = catalog;
	}

	@Benchmark
	public byte @Nullable [] read(KeyCursor cursor) {
		if (this.catalog != null) {
			return this.catalog.item(cursor.next());
		}
		return this.store.get(cursor.next());
	}

	@Nullable MemcachedCluster cluster() {
		return this.cluster;
	}

	@TearDown(Level.Trial)
	public void stopNodes() {
		if (this.catalog != null && this.catalog.loadCount() != Workload.KEY_COUNT) {
			throw new IllegalStateException("The cache missed: the method ran " + this.catalog.loadCount()
					+ " times for " + Workload.KEY_COUNT + " keys, so the measurement includes misses");
		}
		Stores.close(this.context, this.store, this.cluster, this.redis);
	}

}
