package io.memquorum.benchmarks.jmh;

import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.memquorum.benchmarks.KeyValueStore;
import io.memquorum.signing.EntrySigner;
import io.memquorum.signing.SigningKeys;
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
 * The cost of signed entries ({@code memquorum.signing.keys}): a get that hits and a set,
 * 1 KB values, on three real memcached nodes (R = 3, MAJORITY writes, FIRST_HIT reads),
 * with {@code signing=off} as the baseline and {@code signing=on} (HMAC-SHA256 over key
 * and bytes on every write, verified on every read) in the same run. The ratio of the two
 * average times is the cost. One thread, so that each operation's own latency is measured
 * rather than the machine's throughput.
 *
 * <p>
 * After {@code ./mvnw -q -pl benchmarks -am package -DskipTests}: <pre>
 * java -cp 'benchmarks/target/classes:benchmarks/target/lib/*' org.openjdk.jmh.Main 'jmh\.SigningBenchmark'
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SigningBenchmark {

	/** {@code off}: unsigned entries; {@code on}: every entry signed and verified. */
	@Param({ "off", "on" })
	public String signing = "on";

	private @Nullable MemcachedCluster cluster;

	private @Nullable KeyValueStore store;

	@Setup(Level.Trial)
	public void startNodesAndPopulate() {
		MemcachedCluster cluster = MemcachedCluster.start(3);
		this.cluster = cluster;
		EntrySigner signer = switch (this.signing) {
			case "off" -> null;
			case "on" -> new EntrySigner(SigningKeys.of(List.of(Base64.getEncoder().encodeToString(new byte[32]))));
			default -> throw new IllegalArgumentException("Unknown signing '" + this.signing + "'");
		};
		this.store = KeyValueStore.memquorum(cluster.servers(), signer);
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
		Stores.close(this.store, this.cluster);
	}

}
