package io.memquorum.benchmarks.curves;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The SVG chart of each curve, written next to docs/benchmarks.md.
 */
final class CurveCharts {

	static final String VALUE_SIZE = "benchmarks-curve-value-size.svg";

	static final String NODE_COUNT = "benchmarks-curve-node-count.svg";

	static final String NODE_LOAD = "benchmarks-curve-node-load.svg";

	static final String SESSION_SIZE = "benchmarks-curve-session-size.svg";

	static final String THREADS = "benchmarks-curve-threads.svg";

	static final String THREADS_P99 = "benchmarks-curve-threads-p99.svg";

	private CurveCharts() {
	}

	@SuppressWarnings("unchecked")
	static void write(Path directory, Map<String, Object> curves) throws IOException {
		List<Map<String, Object>> sizes = (List<Map<String, Object>>) curves.get("valueSize");
		new LineChart("get and set throughput against value size, 16 threads", "value size, bytes (log)",
				"operations per second (log)", true, true)
			.line("memquorum get", points(sizes, "valueBytes", "memquorumGetOps"))
			.line("xmemcached get", points(sizes, "valueBytes", "xmemcachedGetOps"))
			.line("memquorum set", points(sizes, "valueBytes", "memquorumSetOps"))
			.line("xmemcached set", points(sizes, "valueBytes", "xmemcachedSetOps"))
			.write(directory.resolve(VALUE_SIZE));
		List<Map<String, Object>> nodes = (List<Map<String, Object>>) curves.get("nodeCount");
		new LineChart("get throughput against node count, R = 3, 16 threads", "memcached nodes", "gets per second",
				false, false)
			.line("memquorum get", points(nodes, "nodes", "getOps"))
			.write(directory.resolve(NODE_COUNT));
		new LineChart("per-node load against node count: max / mean", "memcached nodes", "max / mean", false, false)
			.line("ring (replicas held)", points(nodes, "nodes", "ringMaxOverMean"))
			.line("traffic (gets served)", points(nodes, "nodes", "trafficMaxOverMean"))
			.write(directory.resolve(NODE_LOAD));
		List<Map<String, Object>> sessions = (List<Map<String, Object>>) curves.get("sessionSize");
		new LineChart("session cycle against session size, 16 threads", "session size, KB", "cycles per second", false,
				false)
			.line("memquorum", points(sessions, "sessionKilobytes", "memquorumOps"))
			.line("Spring Session on Redis", points(sessions, "sessionKilobytes", "redisOps"))
			.write(directory.resolve(SESSION_SIZE));
		List<Map<String, Object>> threads = (List<Map<String, Object>>) curves.get("threads");
		new LineChart("get throughput against application threads", "threads (log)", "gets per second", true, false)
			.line("memquorum", points(threads, "threads", "memquorumOps"))
			.line("xmemcached", points(threads, "threads", "xmemcachedOps"))
			.write(directory.resolve(THREADS));
		new LineChart("get p99 latency against application threads", "threads (log)", "p99, microseconds (log)", true,
				true)
			.line("memquorum", points(threads, "threads", "memquorumP99Micros"))
			.line("xmemcached", points(threads, "threads", "xmemcachedP99Micros"))
			.write(directory.resolve(THREADS_P99));
	}

	private static List<double[]> points(List<Map<String, Object>> rows, String x, String y) {
		List<double[]> points = new ArrayList<>();
		for (Map<String, Object> row : rows) {
			Object value = row.get(y);
			if (value instanceof Number number) {
				points.add(new double[] { ((Number) row.get(x)).doubleValue(), number.doubleValue() });
			}
		}
		return points;
	}

}
