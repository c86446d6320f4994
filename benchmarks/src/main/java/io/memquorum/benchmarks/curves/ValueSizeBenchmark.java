package io.memquorum.benchmarks.curves;

import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.memquorum.benchmarks.KeyValueStore;
import io.memquorum.engine.ReadConsistency;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.engine.WriteQuorum;
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
 * Curve 1: get hit and set throughput against the value size, 16 threads, memquorum (R =
 * 3 on three nodes, FIRST_HIT reads, MAJORITY writes) against a plain xmemcached client
 * on one of the same three nodes, its compression of values over 16 KB turned off
 * (memquorum does not compress). Both wait up to 5 s for an operation (xmemcached's
 * default; the engine's own default, 250 ms, timed out 16 concurrent quorum sets of 100
 * KB and more on the 2-core machine). The key space shrinks as values grow so that every
 * replica holds it within memcached's 64 MB ({@link #keyCount}): 4,096 keys up to 4 KB,
 * 32 keys of 500 KB; keys are read and written uniformly at random.
 *
 * <p>
 * Run by {@code benchmarks/run curves}, one fork per point. Alone: <pre>
 * java -cp 'benchmarks/target/classes:benchmarks/target/lib/*' org.openjdk.jmh.Main ValueSizeBenchmark -p valueBytes=102400
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(16)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 4, time = 2)
public class ValueSizeBenchmark {

	/** Which client: {@code xmemcached} (one node) or {@code memquorum} (R = 3). */
	@Param({ "xmemcached", "memquorum" })
	public String client = "memquorum";

	/** The value size in bytes. */
	@Param({ "100", "1024", "10240", "102400", "512000" })
	public int valueBytes = 1024;

	private String[] keys = new String[0];

	private byte[] value = new byte[0];

	private @Nullable MemcachedCluster cluster;

	private @Nullable KeyValueStore store;

	/**
	 * How many keys fit: 16 MB of values per replica, between 32 and 4,096 keys.
	 * @param valueBytes the value size
	 * @return the key count
	 */
	static int keyCount(int valueBytes) {
		return Math.max(32, Math.min(4096, (16 << 20) / valueBytes));
	}

	@Setup(Level.Trial)
	public void startNodesAndPopulate() {
		MemcachedCluster cluster = MemcachedCluster.start(3);
		this.cluster = cluster;
		this.store = switch (this.client) {
			case "xmemcached" -> KeyValueStore.plainXmemcached(cluster.addresses().get(0), true, false);
			// xmemcached's default operation timeout, 5 s, instead of the engine's 250
			// ms:
			// 16 concurrent quorum sets of 100 KB and more timed out after 250 ms on the
			// 2-core machine, and the curve is about throughput, not timeouts.
			case "memquorum" -> KeyValueStore.memquorum(ReplicatedMemcached.builder()
				.servers(Arrays.asList(cluster.servers().split(",")))
				.writeQuorum(WriteQuorum.MAJORITY)
				.readConsistency(ReadConsistency.FIRST_HIT)
				.operationTimeout(Duration.ofSeconds(5))
				.build());
			default -> throw new IllegalArgumentException("Unknown client '" + this.client + "'");
		};
		this.value = new byte[this.valueBytes];
		new Random(20261207L).nextBytes(this.value);
		this.keys = new String[keyCount(this.valueBytes)];
		for (int i = 0; i < this.keys.length; i++) {
			this.keys[i] = "bench:size:" + this.valueBytes + ":" + i;
			this.store.set(this.keys[i], this.value);
		}
		byte[] back = this.store.get(this.keys[this.keys.length - 1]);
		if (back == null || back.length != this.valueBytes) {
			throw new IllegalStateException("Populating failed: " + this.store + " did not return what was written");
		}
	}

	private String randomKey() {
		return this.keys[ThreadLocalRandom.current().nextInt(this.keys.length)];
	}

	@Benchmark
	public byte @Nullable [] get() {
		return this.store.get(randomKey());
	}

	@Benchmark
	public void set() {
		this.store.set(randomKey(), this.value);
	}

	@TearDown(Level.Trial)
	public void stopNodes() {
		if (this.store != null) {
			this.store.close();
		}
		if (this.cluster != null) {
			this.cluster.close();
		}
	}

}
