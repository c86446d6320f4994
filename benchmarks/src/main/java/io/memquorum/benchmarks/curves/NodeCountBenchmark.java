package io.memquorum.benchmarks.curves;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.memquorum.benchmarks.jmh.KeyCursor;
import io.memquorum.benchmarks.jmh.Workload;
import io.memquorum.engine.ReadConsistency;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.engine.WriteQuorum;
import io.memquorum.node.NodeAddress;
import io.memquorum.test.MemcachedCluster;
import io.memquorum.test.MemcachedNode;
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
import tools.jackson.databind.json.JsonMapper;

/**
 * Curve 2: get hit throughput against the number of memcached nodes, R = 3 (a
 * consistent-hash ring from 4 nodes on), FIRST_HIT, 16 threads, the workload's Zipf keys
 * and 1 KB values. Two load figures come with each point:
 * <ul>
 * <li>the ring's: how many of the 4,096 keys each node holds a replica of, max / mean
 * ({@code Placement.replicasFor}, no traffic involved);</li>
 * <li>the traffic's: the gets each memcached node served during the whole fork (its
 * {@code cmd_get}), max / mean, which adds the Zipf skew (a few hot keys) and the order
 * in which FIRST_HIT asks the replicas.</li>
 * </ul>
 * Both are written to {@code nodecount-<nodes>-load.json} in the directory named by the
 * environment variable {@code MEMQUORUM_CURVES_OUT}, when set.
 *
 * <p>
 * Run by {@code benchmarks/run curves}. Alone: <pre>
 * java -cp 'benchmarks/target/classes:benchmarks/target/lib/*' org.openjdk.jmh.Main NodeCountBenchmark -p nodes=5
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(16)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 4, time = 2)
public class NodeCountBenchmark {

	/** How many memcached nodes; every key has three replicas among them. */
	@Param({ "3", "5", "7", "9" })
	public int nodes = 3;

	private @Nullable MemcachedCluster cluster;

	private @Nullable ReplicatedMemcached engine;

	private long[] getsBefore = new long[0];

	@Setup(Level.Trial)
	public void startNodesAndPopulate() {
		MemcachedCluster cluster = MemcachedCluster.start(this.nodes);
		this.cluster = cluster;
		this.engine = ReplicatedMemcached.builder()
			.servers(Arrays.asList(cluster.servers().split(",")))
			.replicationFactor(3)
			.writeQuorum(WriteQuorum.MAJORITY)
			.readConsistency(ReadConsistency.FIRST_HIT)
			.build();
		for (String key : Workload.keys()) {
			this.engine.set(key, Workload.value(), java.time.Duration.ZERO);
		}
		this.getsBefore = gets(cluster);
	}

	@Benchmark
	public byte @Nullable [] get(KeyCursor cursor) {
		return this.engine.get(cursor.next());
	}

	@TearDown(Level.Trial)
	public void writeLoadAndStopNodes() {
		try {
			String out = System.getenv("MEMQUORUM_CURVES_OUT");
			if (out != null && this.cluster != null && this.engine != null) {
				Files.writeString(Path.of(out, "nodecount-" + this.nodes + "-load.json"),
						JsonMapper.builder().build().writeValueAsString(load()), StandardCharsets.UTF_8);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		finally {
			if (this.engine != null) {
				this.engine.close();
			}
			if (this.cluster != null) {
				this.cluster.close();
			}
		}
	}

	private Map<String, Object> load() {
		List<MemcachedNode> members = this.cluster.nodes();
		Map<NodeAddress, Integer> held = new LinkedHashMap<>();
		for (MemcachedNode node : members) {
			held.put(NodeAddress.parse(node.address()), 0);
		}
		for (String key : Workload.keys()) {
			for (NodeAddress replica : this.engine.placement().replicasFor(this.engine.keyEncoder().encode(key))) {
				held.merge(replica, 1, Integer::sum);
			}
		}
		long[] after = gets(this.cluster);
		List<Long> served = new ArrayList<>();
		for (int i = 0; i < after.length; i++) {
			served.add(after[i] - this.getsBefore[i]);
		}
		Map<String, Object> load = new LinkedHashMap<>();
		load.put("nodes", this.nodes);
		load.put("replicasHeldPerNode", new ArrayList<>(held.values()));
		load.put("ringMaxOverMean", maxOverMean(held.values().stream().map(Integer::longValue).toList()));
		load.put("getsServedPerNode", served);
		load.put("trafficMaxOverMean", maxOverMean(served));
		return load;
	}

	private static double maxOverMean(List<Long> values) {
		double mean = values.stream().mapToLong(Long::longValue).average().orElse(0);
		long max = values.stream().mapToLong(Long::longValue).max().orElse(0);
		return (mean > 0) ? max / mean : Double.NaN;
	}

	private static long[] gets(MemcachedCluster cluster) {
		return cluster.nodes()
			.stream()
			.mapToLong((node) -> Long.parseLong(node.stats().getOrDefault("cmd_get", "0").trim()))
			.toArray();
	}

}
