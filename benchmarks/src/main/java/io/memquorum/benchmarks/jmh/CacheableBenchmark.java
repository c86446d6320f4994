package io.memquorum.benchmarks.jmh;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.memquorum.benchmarks.KeyValueStore;
import io.memquorum.cache.MemquorumCacheManager;
import io.memquorum.engine.ReplicatedMemcached;
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

import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Measurement 4: a {@code @Cacheable} method whose every call hits, through the Spring
 * proxy and memquorum's Spring Cache (1 KB {@code byte[]} values, JDK-serialized, three
 * nodes, R = 3), against the engine's raw {@code get} of the same bytes ({@code engine}).
 * 16 threads, Zipf keys. Target: at least 0.85 times the raw get's operations per second.
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

	/** Which path: {@code engine} (raw get) or {@code cacheable} (Spring proxy). */
	@Param({ "engine", "cacheable" })
	public String path = "cacheable";

	private @Nullable MemcachedCluster cluster;

	private KeyValueStore.@Nullable Memquorum store;

	private @Nullable AnnotationConfigApplicationContext context;

	private @Nullable Catalog catalog;

	@Setup(Level.Trial)
	public void startNodesAndFillTheCache() {
		MemcachedCluster cluster = MemcachedCluster.start(3);
		this.cluster = cluster;
		KeyValueStore.Memquorum store = KeyValueStore.memquorum(cluster.servers());
		this.store = store;
		switch (this.path) {
			case "engine" -> Stores.populate(store);
			case "cacheable" -> {
				AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
				context.registerBean(ReplicatedMemcached.class, store::engine);
				context.register(CachingConfiguration.class);
				context.refresh();
				this.context = context;
				Catalog catalog = context.getBean(Catalog.class);
				for (String key : Workload.keys()) {
					catalog.item(key);
				}
				this.catalog = catalog;
			}
			default -> throw new IllegalArgumentException("Unknown path '" + this.path + "'");
		}
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
		if (this.context != null) {
			this.context.close();
		}
		Stores.close(this.store, this.cluster);
	}

	/** An application service whose results are cached. */
	public static class Catalog {

		private final LongAdder loads = new LongAdder();

		@Cacheable("items")
		public byte[] item(String id) {
			this.loads.increment();
			return Workload.value().clone();
		}

		/**
		 * How often {@link #item} really ran (through the proxy, fields are not shared).
		 * @return the number of loads
		 */
		public long loadCount() {
			return this.loads.sum();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class CachingConfiguration {

		@Bean
		MemquorumCacheManager cacheManager(ReplicatedMemcached engine) {
			return MemquorumCacheManager.builder(engine).build();
		}

		@Bean
		Catalog catalog() {
			return new Catalog();
		}

	}

}
