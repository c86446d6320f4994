package io.memquorum.benchmarks.report;

import java.util.List;
import java.util.function.DoublePredicate;

import org.jspecify.annotations.Nullable;

/**
 * One row of the comparison: which JMH benchmark, which {@code @Param} value is the
 * baseline and which the candidate, which figure is compared, and the target.
 *
 * @param number the measurement's number in issue 6
 * @param title what is measured
 * @param benchmark the JMH benchmark method, fully qualified
 * @param param the {@code @Param} that selects the side
 * @param baseline the baseline's param value
 * @param candidate the candidate's param value
 * @param figure the figure compared
 * @param target the target as text, or {@code null} when only the ratio is reported
 * @param met whether a ratio meets the target
 * @param pendingReason why the row has no data yet, when the benchmark cannot run yet
 */
record Measurement(String number, String title, String benchmark, String param, String baseline, String candidate,
		Figure figure, @Nullable String target, DoublePredicate met, @Nullable String pendingReason) {

	private static final String JMH = "io.memquorum.benchmarks.jmh.";

	/** The figure a ratio compares. */
	enum Figure {

		/** Operations per second; ratio = candidate / baseline, higher is better. */
		THROUGHPUT("ops/s"),

		/** Median latency; ratio = candidate / baseline, lower is better. */
		MEDIAN_LATENCY("median latency"),

		/**
		 * Bytes allocated per operation (JMH gc profiler); ratio = candidate / baseline,
		 * lower is better.
		 */
		ALLOCATION("allocation per operation");

		final String label;

		Figure(String label) {
			this.label = label;
		}

	}

	static List<Measurement> all() {
		return List.of(
				new Measurement("1", "get hit, R = 3, FIRST_HIT, 1 KB, 16 threads", JMH + "GetBenchmark.get", "client",
						"xmemcached", "memquorum", Figure.THROUGHPUT, "≥ 0.9×", (ratio) -> ratio >= 0.9, null),
				new Measurement("1a", "allocation per get hit, as 1", JMH + "GetBenchmark.get", "client", "xmemcached",
						"memquorum", Figure.ALLOCATION, "≤ 1.5×", (ratio) -> ratio <= 1.5, null),
				new Measurement("1b", "as 1, against xmemcached with its merged gets off (memquorum merges its own)",
						JMH + "GetBenchmark.get", "client", "xmemcached-unmerged", "memquorum", Figure.THROUGHPUT, null,
						(ratio) -> true, null),
				new Measurement("2", "quorum set, R = 3, 1 KB, 1 thread", JMH + "SetBenchmark.set", "client",
						"xmemcached", "memquorum", Figure.MEDIAN_LATENCY, "≤ 1.5×", (ratio) -> ratio <= 1.5, null),
				new Measurement("2b",
						"floor: raw value to 3 nodes at once, wait for 2, memquorum's connection layer without the engine",
						JMH + "SetBenchmark.set", "client", "xmemcached", "parallel-2of3", Figure.MEDIAN_LATENCY, null,
						(ratio) -> true, null),
				new Measurement("2c", "engine's own cost: quorum set against that floor", JMH + "SetBenchmark.set",
						"client", "parallel-2of3", "memquorum", Figure.MEDIAN_LATENCY, null, (ratio) -> true, null),
				new Measurement("2d", "connection layer's own cost: raw set to 1 node through it, against xmemcached",
						JMH + "SetBenchmark.set", "client", "xmemcached", "parallel-1of1", Figure.MEDIAN_LATENCY, null,
						(ratio) -> true, null),
				new Measurement("3", "session cycle: findById, change one attribute, save; 16 threads",
						JMH + "SessionCycleBenchmark.requestCycle", "store", "redis", "memquorum", Figure.THROUGHPUT,
						"≥ 1.5×", (ratio) -> ratio >= 1.5, pendingSession()),
				new Measurement("3h",
						"session cycle as 3, against Spring Session on Hazelcast 5 (three members, backup-count 1)",
						JMH + "SessionCycleBenchmark.requestCycle", "store", "hazelcast", "memquorum",
						Figure.THROUGHPUT, "≥ 1.0×", (ratio) -> ratio >= 1.0, pendingSession()),
				new Measurement("4", "@Cacheable hit through the Spring proxy, 16 threads",
						JMH + "CacheableBenchmark.read", "path", "engine", "cacheable", Figure.THROUGHPUT, "≥ 0.85×",
						(ratio) -> ratio >= 0.85, pendingCache()),
				new Measurement("4r", "@Cacheable hit as 4, against Spring Data Redis's RedisCacheManager",
						JMH + "CacheableBenchmark.read", "path", "redis-cache", "cacheable", Figure.THROUGHPUT,
						"≥ 1.5×", (ratio) -> ratio >= 1.5, pendingCache()),
				new Measurement("4m", "@Cacheable miss-then-load (new key, load, store), against RedisCacheManager",
						JMH + "CacheWritesBenchmark.missThenLoad", "cache", "redis-cache", "memquorum",
						Figure.THROUGHPUT, null, (ratio) -> true, pendingCache()),
				new Measurement("4e", "@CacheEvict, against RedisCacheManager", JMH + "CacheWritesBenchmark.evict",
						"cache", "redis-cache", "memquorum", Figure.THROUGHPUT, null, (ratio) -> true, pendingCache()),
				new Measurement("5a", "get hit through nutcracker vs memquorum direct, 16 threads",
						JMH + "ProxyBenchmark.get", "path", "memquorum", "nutcracker", Figure.THROUGHPUT, null,
						(ratio) -> true, null),
				new Measurement("5b", "set through nutcracker vs memquorum direct, 16 threads",
						JMH + "ProxyBenchmark.set", "path", "memquorum", "nutcracker", Figure.THROUGHPUT, null,
						(ratio) -> true, null));
	}

	private static @Nullable String pendingSession() {
		return classPresent("io.memquorum.benchmarks.jmh.SessionCycleBenchmark") ? null
				: "pending: the memquorum session repository (io.memquorum.session) is not merged into this branch yet";
	}

	private static @Nullable String pendingCache() {
		return classPresent("io.memquorum.benchmarks.jmh.CacheableBenchmark") ? null
				: "pending: the memquorum Spring Cache (io.memquorum.cache) is not merged into this branch yet";
	}

	private static boolean classPresent(String name) {
		try {
			Class.forName(name, false, Measurement.class.getClassLoader());
			return true;
		}
		catch (ClassNotFoundException ex) {
			return false;
		}
	}

}
