package io.memquorum.benchmarks.curves;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The generated part of the curves section of docs/benchmarks.md: the run's settings,
 * each chart and its table.
 */
final class CurveTables {

	private CurveTables() {
	}

	@SuppressWarnings("unchecked")
	static String render(Map<String, Object> curves) {
		StringBuilder md = new StringBuilder();
		md.append("Run of ")
			.append(curves.get("generatedAt"))
			.append(" (")
			.append(curves.get("settings"))
			.append("). Load average before ")
			.append(curves.get("loadAverageBefore"))
			.append(", after ")
			.append(curves.get("loadAverageAfter"))
			.append(". One fork per point, one round: read the shape, not the third digit.\n\n");
		md.append("**Value size** (16 threads; memquorum R = 3 on three nodes, xmemcached on one of them, its "
				+ "compression off):\n\n![get and set throughput against value size](")
			.append(CurveCharts.VALUE_SIZE)
			.append(")\n\n");
		md.append("| value | keys | get, xmemcached | get, memquorum | get ratio | set, xmemcached | set, memquorum "
				+ "| set ratio | memquorum get MB/s |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
		for (Map<String, Object> row : (List<Map<String, Object>>) curves.get("valueSize")) {
			int bytes = (Integer) row.get("valueBytes");
			double xGet = number(row, "xmemcachedGetOps");
			double mGet = number(row, "memquorumGetOps");
			double xSet = number(row, "xmemcachedSetOps");
			double mSet = number(row, "memquorumSetOps");
			md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s | %.0f |%n", size(bytes),
					(Integer) row.get("keys"), ops(xGet), ops(mGet), ratio(mGet / xGet), ops(xSet), ops(mSet),
					ratio(mSet / xSet), mGet * bytes / 1_000_000));
		}
		md.append("\n**Node count** (R = 3, FIRST_HIT gets of 1 KB, 16 threads, Zipf keys; ring: replicas of the "
				+ "4,096 keys each node holds; traffic: gets each node served):\n\n![get throughput against node count](")
			.append(CurveCharts.NODE_COUNT)
			.append(")\n![per-node load against node count](")
			.append(CurveCharts.NODE_LOAD)
			.append(")\n\n");
		md.append("| nodes | gets/s | ring max / mean | traffic max / mean | gets served per node |\n"
				+ "| --- | --- | --- | --- | --- |\n");
		for (Map<String, Object> row : (List<Map<String, Object>>) curves.get("nodeCount")) {
			md.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s |%n", (Integer) row.get("nodes"),
					ops(number(row, "getOps")), two(number(row, "ringMaxOverMean")),
					two(number(row, "trafficMaxOverMean")),
					String.valueOf(row.getOrDefault("getsServedPerNode", "–"))));
		}
		md.append("\n**Session size** (the session cycle of measurement 3, a sixth attribute bringing the session "
				+ "to the size; the request changes one small attribute):\n\n![session cycle against session size](")
			.append(CurveCharts.SESSION_SIZE)
			.append(")\n\n");
		md.append("| session | Spring Session on Redis | memquorum | ratio |\n| --- | --- | --- | --- |\n");
		for (Map<String, Object> row : (List<Map<String, Object>>) curves.get("sessionSize")) {
			md.append(String.format(Locale.ROOT, "| %d KB | %s | %s | %s |%n", (Integer) row.get("sessionKilobytes"),
					ops(number(row, "redisOps")), ops(number(row, "memquorumOps")), ratio(number(row, "ratio"))));
		}
		md.append("\n**Application threads** (get hit, 1 KB; JMH sample time, throughput = threads / mean "
				+ "latency):\n\n![get throughput against threads](")
			.append(CurveCharts.THREADS)
			.append(")\n![get p99 against threads](")
			.append(CurveCharts.THREADS_P99)
			.append(")\n\n");
		md.append(
				"| threads | xmemcached gets/s | memquorum gets/s | ratio | xmemcached p50 / p99 | memquorum p50 / p99 |\n"
						+ "| --- | --- | --- | --- | --- | --- |\n");
		for (Map<String, Object> row : (List<Map<String, Object>>) curves.get("threads")) {
			double x = number(row, "xmemcachedOps");
			double m = number(row, "memquorumOps");
			md.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s / %s µs | %s / %s µs |%n",
					(Integer) row.get("threads"), ops(x), ops(m), ratio(m / x), two(number(row, "xmemcachedP50Micros")),
					two(number(row, "xmemcachedP99Micros")), two(number(row, "memquorumP50Micros")),
					two(number(row, "memquorumP99Micros"))));
		}
		return md.toString();
	}

	private static double number(Map<String, Object> row, String key) {
		Object value = row.get(key);
		return (value instanceof Number number) ? number.doubleValue() : Double.NaN;
	}

	private static String size(int bytes) {
		return (bytes >= 1024) ? (bytes / 1024) + " KB" : bytes + " B";
	}

	private static String ops(double value) {
		return Double.isNaN(value) || Double.isInfinite(value) ? "no result"
				: String.format(Locale.ROOT, "%,.0f", value);
	}

	private static String ratio(double value) {
		return Double.isNaN(value) || Double.isInfinite(value) ? "–" : String.format(Locale.ROOT, "%.2f×", value);
	}

	private static String two(double value) {
		return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%.2f", value);
	}

}
