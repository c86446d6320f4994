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
 * Measurement 2: the latency of one set, 1 KB values, one caller thread.
 * {@code memquorum} writes to three replicas in parallel and returns once a majority (2)
 * acknowledged; the baseline {@code xmemcached} is a plain xmemcached set on one node.
 * Target: median latency at most 1.5 times the baseline's. The floor for the quorum write
 * is the slower of the two fastest replies, with the three sends in flight together.
 *
 * <p>
 * One thread measures latency, not queueing on this 2-core machine. JMH's
 * {@code SampleTime} mode records the distribution; the report reads its median
 * ({@code p0.50}).
 *
 * <p>
 * Run it with the whole comparison: {@code benchmarks/run}. Alone, after
 * {@code ./mvnw -q -pl benchmarks -am package -DskipTests}: <pre>
 * java -cp 'benchmarks/target/classes:benchmarks/target/lib/*' org.openjdk.jmh.Main SetBenchmark -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@Warmup(iterations = 8, time = 2)
@Measurement(iterations = 4, time = 2)
public class SetBenchmark {

	/**
	 * Which client writes: {@code xmemcached} (one node) or {@code memquorum} (R = 3).
	 */
	@Param({ "xmemcached", "memquorum" })
	public String client = "memquorum";

	private @Nullable MemcachedCluster cluster;

	private @Nullable KeyValueStore store;

	@Setup(Level.Trial)
	public void startNodes() {
		MemcachedCluster cluster = MemcachedCluster.start(3);
		this.cluster = cluster;
		this.store = switch (this.client) {
			case "xmemcached" -> KeyValueStore.plainXmemcached(cluster.addresses().get(0));
			case "memquorum" -> KeyValueStore.memquorum(cluster.servers());
			case "parallel-1of1" -> KeyValueStore.parallelWrites(cluster.addresses().get(0), 1);
			case "parallel-2of3" -> KeyValueStore.parallelWrites(cluster.servers(), 2);
			default -> throw new IllegalArgumentException("Unknown client '" + this.client + "'");
		};
		Stores.populate(this.store);
	}

	@Benchmark
	public void set(KeyCursor cursor) {
		this.store.set(cursor.next(), Workload.value());
	}

	@TearDown(Level.Trial)
	public void stopNodes() {
		Stores.close(this.store, this.cluster);
	}

}
