package io.memquorum.benchmarks.jmh;

import java.util.concurrent.TimeUnit;

import io.memquorum.benchmarks.KeyValueStore;
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
 * Measurement 1: a get that hits, 1 KB values, 16 threads. {@code memquorum} reads with
 * FIRST_HIT from three replicas (R = 3); the baseline {@code xmemcached} is a plain
 * xmemcached client on one node. Target: memquorum reaches at least 0.9 times the
 * baseline's operations per second.
 *
 * <p>
 * Three memcached nodes run in both cases, so the machine carries the same processes.
 * Keys follow a Zipf distribution over {@link Workload#KEY_COUNT} keys, all written
 * before measuring.
 *
 * <p>
 * Run it with the whole comparison: {@code benchmarks/run}. Alone, after
 * {@code ./mvnw -q -pl benchmarks -am package -DskipTests}: <pre>
 * java -cp 'benchmarks/target/classes:benchmarks/target/lib/*' org.openjdk.jmh.Main GetBenchmark -prof gc
 * </pre> Add {@code -p client=memquorum} to run one side only.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(16)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@Warmup(iterations = 8, time = 2)
@Measurement(iterations = 4, time = 2)
public class GetBenchmark {

	/** Which client reads: {@code xmemcached} (one node) or {@code memquorum} (R = 3). */
	@Param({ "xmemcached", "memquorum" })
	public String client = "memquorum";

	private @Nullable MemcachedCluster cluster;

	private @Nullable KeyValueStore store;

	@Setup(Level.Trial)
	public void startNodesAndPopulate() {
		MemcachedCluster cluster = MemcachedCluster.start(3);
		this.cluster = cluster;
		this.store = switch (this.client) {
			case "xmemcached" -> KeyValueStore.plainXmemcached(cluster.addresses().get(0));
			case "xmemcached-unmerged" -> KeyValueStore.plainXmemcached(cluster.addresses().get(0), false);
			case "memquorum" -> KeyValueStore.memquorum(cluster.servers());
			default -> throw new IllegalArgumentException("Unknown client '" + this.client + "'");
		};
		Stores.populate(this.store);
	}

	@Benchmark
	public byte @Nullable [] get(KeyCursor cursor) {
		return this.store.get(cursor.next());
	}

	@TearDown(Level.Trial)
	public void stopNodes() {
		Stores.close(this.store, this.cluster);
	}

}
