package io.memquorum.benchmarks.jmh;

import java.util.concurrent.TimeUnit;

import io.memquorum.benchmarks.KeyValueStore;
import io.memquorum.benchmarks.servers.Nutcracker;
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
 * Measurement 5: get (hit) and set throughput through twemproxy ({@code nutcracker}) in
 * front of three memcached nodes, against memquorum talking to the same three nodes
 * directly. 1 KB values, 16 threads. There is no target; the report gives the ratio
 * nutcracker / memquorum, and a direct path is expected to win.
 *
 * <p>
 * The two do different work: nutcracker shards (each key on one node, one extra hop),
 * memquorum replicates (each get to one replica, each set to three). That is the choice a
 * user faces between them.
 *
 * <p>
 * Needs {@code nutcracker} on the PATH or in /usr/sbin ({@code apt-get install
 * nutcracker}). Run it with the whole comparison: {@code benchmarks/run}. Alone, after
 * {@code ./mvnw -q -pl benchmarks -am package -DskipTests}: <pre>
 * java -cp 'benchmarks/target/classes:benchmarks/target/lib/*' org.openjdk.jmh.Main ProxyBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(16)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@Warmup(iterations = 8, time = 2)
@Measurement(iterations = 4, time = 2)
public class ProxyBenchmark {

	/**
	 * Which path: {@code nutcracker} (xmemcached to twemproxy to the nodes) or
	 * {@code memquorum} (direct, R = 3).
	 */
	@Param({ "nutcracker", "memquorum" })
	public String path = "memquorum";

	private @Nullable MemcachedCluster cluster;

	private @Nullable Nutcracker proxy;

	private @Nullable KeyValueStore store;

	@Setup(Level.Trial)
	public void startNodesAndPopulate() {
		MemcachedCluster cluster = MemcachedCluster.start(3);
		this.cluster = cluster;
		switch (this.path) {
			case "nutcracker" -> {
				Nutcracker proxy = Nutcracker.start(cluster.addresses());
				this.proxy = proxy;
				this.store = KeyValueStore.plainXmemcached(proxy.address());
			}
			case "memquorum" -> this.store = KeyValueStore.memquorum(cluster.servers());
			default -> throw new IllegalArgumentException("Unknown path '" + this.path + "'");
		}
		Stores.populate(this.store);
	}

	@Benchmark
	public byte @Nullable [] get(KeyCursor cursor) {
		return this.store.get(cursor.next());
	}

	@Benchmark
	public void set(KeyCursor cursor) {
		this.store.set(cursor.next(), Workload.value());
	}

	@TearDown(Level.Trial)
	public void stopNodes() {
		Stores.close(this.store, this.proxy, this.cluster);
	}

}
