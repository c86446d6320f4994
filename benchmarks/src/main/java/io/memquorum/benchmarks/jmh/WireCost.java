package io.memquorum.benchmarks.jmh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.memquorum.benchmarks.KeyValueStore;
import io.memquorum.benchmarks.servers.RedisServer;
import io.memquorum.test.MemcachedCluster;
import io.memquorum.test.MemcachedNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Counts what one operation of each benchmark costs on the wire: the keys read and the
 * storage commands that memcached counted (all nodes together), or the commands Redis
 * counted, per operation. These counts do not depend on the machine's load, and they
 * explain most of the throughput ratios on a machine whose CPUs are shared by client and
 * servers.
 *
 * <p>
 * Run by {@code benchmarks/run}. Alone: <pre>
 * java -cp 'benchmarks/target/classes:benchmarks/target/lib/*' io.memquorum.benchmarks.jmh.WireCost --out=wire.json
 * </pre>
 */
public final class WireCost {

	private static final int OPERATIONS = 2000;

	private WireCost() {
	}

	public static void main(String[] args) throws Exception {
		Path output = Path.of((args.length > 0 && args[0].startsWith("--out=")) ? args[0].substring(6) : "wire.json");
		Map<String, Object> costs = new LinkedHashMap<>();
		costs.put("operations", OPERATIONS);
		costs.put("engineGet", engine(false));
		costs.put("engineSet", engine(true));
		costs.put("cacheableHit", cacheable());
		costs.put("sessionCycleMemquorum", session("memquorum"));
		costs.put("sessionCycleRedis", session("redis"));
		Files.writeString(output,
				JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsString(costs));
		System.out.println(costs);
	}

	private static Map<String, Double> engine(boolean write) {
		try (MemcachedCluster cluster = MemcachedCluster.start(3);
				KeyValueStore store = KeyValueStore.memquorum(cluster.servers())) {
			Stores.populate(store);
			KeyCursor cursor = new KeyCursor();
			Map<String, Long> before = memcachedCounters(cluster);
			for (int i = 0; i < OPERATIONS; i++) {
				if (write) {
					store.set(cursor.next(), Workload.value());
				}
				else {
					store.get(cursor.next());
				}
			}
			return perOperation(before, memcachedCounters(cluster));
		}
	}

	private static Map<String, Double> cacheable() {
		CacheableBenchmark benchmark = new CacheableBenchmark();
		benchmark.path = "cacheable";
		benchmark.startNodesAndFillTheCache();
		try {
			KeyCursor cursor = new KeyCursor();
			Map<String, Long> before = memcachedCounters(benchmark.cluster());
			for (int i = 0; i < OPERATIONS; i++) {
				benchmark.read(cursor);
			}
			return perOperation(before, memcachedCounters(benchmark.cluster()));
		}
		finally {
			benchmark.stopNodes();
		}
	}

	private static Map<String, Double> session(String store) throws IOException {
		SessionCycleBenchmark benchmark = new SessionCycleBenchmark();
		benchmark.store = store;
		benchmark.startStoreAndCreateSessions();
		try {
			boolean redis = benchmark.redis() != null;
			Map<String, Long> before = redis ? redisCounters(benchmark.redis())
					: memcachedCounters(benchmark.cluster());
			for (int i = 0; i < OPERATIONS; i++) {
				benchmark.requestCycle();
			}
			Map<String, Long> after = redis ? redisCounters(benchmark.redis()) : memcachedCounters(benchmark.cluster());
			return perOperation(before, after);
		}
		finally {
			benchmark.stopStore();
		}
	}

	private static Map<String, Long> memcachedCounters(MemcachedCluster cluster) {
		Map<String, Long> counters = new LinkedHashMap<>();
		for (MemcachedNode node : cluster.nodes()) {
			Map<String, String> stats = node.stats();
			for (String name : List.of("cmd_get", "cmd_set", "cmd_touch", "delete_hits", "delete_misses")) {
				counters.merge(name.startsWith("delete") ? "cmd_delete" : name,
						Long.parseLong(stats.getOrDefault(name, "0").trim()), Long::sum);
			}
		}
		return counters;
	}

	/** Commands Redis processed so far ({@code INFO stats}), minus this INFO itself. */
	private static Map<String, Long> redisCounters(RedisServer redis) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", redis.port())) {
			socket.setSoTimeout((int) Duration.ofSeconds(5).toMillis());
			OutputStream out = socket.getOutputStream();
			out.write("INFO stats\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			StringBuilder reply = new StringBuilder();
			byte[] buffer = new byte[8192];
			while (reply.indexOf("total_commands_processed:") < 0
					|| reply.indexOf("\r\n", reply.indexOf("total_commands_processed:")) < 0) {
				int read = in.read(buffer);
				if (read < 0) {
					break;
				}
				reply.append(new String(buffer, 0, read, StandardCharsets.US_ASCII));
			}
			int start = reply.indexOf("total_commands_processed:") + "total_commands_processed:".length();
			long total = Long.parseLong(reply.substring(start, reply.indexOf("\r\n", start)).trim());
			return Map.of("redis_commands", total);
		}
	}

	private static Map<String, Double> perOperation(Map<String, Long> before, Map<String, Long> after) {
		Map<String, Double> result = new LinkedHashMap<>();
		after.forEach((name, value) -> result.put(name,
				Math.round((value - before.getOrDefault(name, 0L)) * 100.0 / OPERATIONS) / 100.0));
		if (result.containsKey("redis_commands")) {
			// the INFO that took the second count is itself counted
			result.put("redis_commands",
					Math.round(((after.get("redis_commands") - before.get("redis_commands") - 1) * 100.0) / OPERATIONS)
							/ 100.0);
		}
		return result;
	}

}
