package io.memquorum.benchmarks.failover;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import io.memquorum.benchmarks.report.CommandLine;
import io.memquorum.benchmarks.jmh.Workload;
import io.memquorum.engine.NodeState;
import io.memquorum.engine.NodeStatus;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.test.MemcachedCluster;
import io.memquorum.test.MemcachedNode;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * Measurement 6: the failover timeline. Load threads read (90 %) and write (10 %) 1 KB
 * values through memquorum (three nodes, R = 3, the engine's default timeouts) while one
 * node is killed with SIGKILL, and in a second run while one node is paused with SIGSTOP
 * for the whole observation. For each 100 ms window from 2 s before to 10 s after the
 * fault it records p50 and p99 latency and the errors, and it reports how long the engine
 * took to mark the node down and how long until latency was back to normal.
 *
 * <p>
 * "Normal" is the median p99 of the 20 windows before the fault. Latency is back to
 * normal at the start of the first window after the fault from which ten windows in a row
 * (1 s) have no error and a p99 of at most twice that.
 *
 * <p>
 * JMH does not fit here: the fault happens once, at a known instant, and the shape over
 * time is the result. Run it with the whole comparison: {@code benchmarks/run}. Alone,
 * after {@code ./mvnw -q -pl benchmarks -am package -DskipTests}: <pre>
 * java -cp 'benchmarks/target/classes:benchmarks/target/lib/*' io.memquorum.benchmarks.failover.FailoverTimeline --out=failover.json
 * </pre> Options: {@code --threads=8}, {@code --faults=kill,pause}.
 */
public final class FailoverTimeline {

	private static final long WINDOW_NANOS = Duration.ofMillis(100).toNanos();

	private static final int WINDOWS_BEFORE = 20;

	private static final int WINDOWS_AFTER = 100;

	private static final int RECOVERED_RUN = 10;

	private static final Duration WARMUP = Duration.ofSeconds(3);

	private static final double WRITE_SHARE = 0.10;

	private final int threads;

	private FailoverTimeline(int threads) {
		this.threads = threads;
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> options = parse(args);
		Path output = Path.of(options.getOrDefault("out", "failover.json"));
		int threads = Integer.parseInt(options.getOrDefault("threads", "8"));
		List<Fault> faults = Arrays.stream(options.getOrDefault("faults", "kill,pause").split(","))
			.map((name) -> Fault.valueOf(name.trim().toUpperCase(Locale.ROOT)))
			.toList();
		FailoverTimeline timeline = new FailoverTimeline(threads);
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("threads", threads);
		result.put("writeShare", WRITE_SHARE);
		result.put("windowMillis", 100);
		List<Scenario> scenarios = new ArrayList<>();
		for (Fault fault : faults) {
			Scenario scenario = timeline.run(fault);
			System.out.printf(Locale.ROOT,
					"failover %s: marked down after %s ms, latency normal again after %s ms, %d errors, worst p99 %.1f ms%n",
					fault.name().toLowerCase(Locale.ROOT), scenario.markedDownAfterMillis(),
					scenario.normalAgainAfterMillis(), scenario.errorsAfterFault(), scenario.worstP99Micros() / 1000);
			scenarios.add(scenario);
		}
		result.put("scenarios", scenarios);
		result.put("replicaThreads", ReplicaThreads.measure());
		Files.writeString(output,
				JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsString(result));
	}

	private static Map<String, String> parse(String[] args) {
		Map<String, String> options = CommandLine.options(args);
		return options;
	}

	private Scenario run(Fault fault) throws InterruptedException {
		try (MemcachedCluster cluster = MemcachedCluster.start(3)) {
			ReplicatedMemcached engine = ReplicatedMemcached.builder().servers(cluster.addresses()).build();
			try {
				for (String key : Workload.keys()) {
					engine.set(key, Workload.value(), Duration.ZERO);
				}
				return observe(fault, cluster.node(0), cluster.addresses().get(0), engine);
			}
			finally {
				engine.close();
			}
		}
	}

	private Scenario observe(Fault fault, MemcachedNode victim, String victimAddress, ReplicatedMemcached engine)
			throws InterruptedException {
		AtomicBoolean stop = new AtomicBoolean();
		List<LatencyRecorder> recorders = new ArrayList<>();
		List<Thread> workers = new ArrayList<>();
		for (int i = 0; i < this.threads; i++) {
			LatencyRecorder recorder = new LatencyRecorder();
			recorders.add(recorder);
			Thread worker = new Thread(() -> load(engine, recorder, stop), "load-" + i);
			workers.add(worker);
			worker.start();
		}
		Thread.sleep(WARMUP.toMillis() + WINDOWS_BEFORE * 100L);
		long faultAt = System.nanoTime();
		fault.apply(victim);
		long markedDownAt = awaitMarkedDown(engine, victimAddress, faultAt + WINDOWS_AFTER * WINDOW_NANOS);
		long remaining = faultAt + WINDOWS_AFTER * WINDOW_NANOS - System.nanoTime();
		if (remaining > 0) {
			Thread.sleep(remaining / 1_000_000, (int) (remaining % 1_000_000));
		}
		stop.set(true);
		for (Thread worker : workers) {
			worker.join();
		}
		if (fault == Fault.PAUSE) {
			victim.resume();
		}
		return summarize(fault, faultAt, markedDownAt, recorders);
	}

	private static void load(ReplicatedMemcached engine, LatencyRecorder recorder, AtomicBoolean stop) {
		int position = ThreadLocalRandom.current().nextInt();
		while (!stop.get()) {
			String key = Workload.key(position++);
			boolean write = ThreadLocalRandom.current().nextDouble() < WRITE_SHARE;
			long start = System.nanoTime();
			boolean failed = false;
			try {
				if (write) {
					engine.set(key, Workload.value(), Duration.ZERO);
				}
				else if (engine.get(key) == null) {
					failed = true;
				}
			}
			catch (RuntimeException ex) {
				failed = true;
			}
			recorder.record(start, System.nanoTime() - start, failed);
		}
	}

	/**
	 * Poll the engine's view of the victim every millisecond until it is down.
	 * @return when it was first seen down, or {@code -1} if not before the deadline
	 */
	private static long awaitMarkedDown(ReplicatedMemcached engine, String address, long deadline)
			throws InterruptedException {
		while (System.nanoTime() < deadline) {
			for (NodeStatus status : engine.nodeStatus()) {
				if (status.address().toString().equals(address) && status.state() == NodeState.DOWN) {
					return System.nanoTime();
				}
			}
			Thread.sleep(1);
		}
		return -1;
	}

	private static Scenario summarize(Fault fault, long faultAt, long markedDownAt, List<LatencyRecorder> recorders) {
		int windowCount = WINDOWS_BEFORE + WINDOWS_AFTER;
		long first = faultAt - WINDOWS_BEFORE * WINDOW_NANOS;
		long[][] latencies = new long[windowCount][];
		int[] counts = new int[windowCount];
		int[] errors = new int[windowCount];
		for (int w = 0; w < windowCount; w++) {
			latencies[w] = new long[1024];
		}
		for (LatencyRecorder recorder : recorders) {
			for (int i = 0; i < recorder.size(); i++) {
				long offset = recorder.startNanos(i) - first;
				if (offset < 0) {
					continue;
				}
				int w = (int) (offset / WINDOW_NANOS);
				if (w >= windowCount) {
					continue;
				}
				if (counts[w] == latencies[w].length) {
					latencies[w] = Arrays.copyOf(latencies[w], counts[w] * 2);
				}
				latencies[w][counts[w]++] = recorder.latencyNanos(i);
				if (recorder.failed(i)) {
					errors[w]++;
				}
			}
		}
		List<Window> windows = new ArrayList<>();
		for (int w = 0; w < windowCount; w++) {
			windows.add(Window.of((w - WINDOWS_BEFORE) * 100L, latencies[w], counts[w], errors[w]));
		}
		List<Window> before = windows.subList(0, WINDOWS_BEFORE);
		List<Window> after = windows.subList(WINDOWS_BEFORE, windowCount);
		double normalP50 = median(before.stream().mapToDouble(Window::p50Micros).toArray());
		double normalP99 = median(before.stream().mapToDouble(Window::p99Micros).toArray());
		Long normalAgain = null;
		for (int w = 0; w + RECOVERED_RUN <= after.size() && normalAgain == null; w++) {
			boolean normal = true;
			for (int v = w; v < w + RECOVERED_RUN && normal; v++) {
				Window window = after.get(v);
				normal = window.errors() == 0 && window.operations() > 0 && window.p99Micros() <= 2 * normalP99;
			}
			if (normal) {
				normalAgain = after.get(w).startMillis();
			}
		}
		int errorsAfter = after.stream().mapToInt(Window::errors).sum();
		double worstP99 = after.stream().mapToDouble(Window::p99Micros).max().orElse(0);
		Long markedDown = (markedDownAt < 0) ? null : Math.round((markedDownAt - faultAt) / 1e6);
		return new Scenario(fault.name().toLowerCase(Locale.ROOT), fault.description, markedDown, normalAgain,
				normalP50, normalP99, worstP99, errorsAfter, windows);
	}

	private static double median(double[] values) {
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		return (sorted.length == 0) ? 0 : sorted[sorted.length / 2];
	}

	/** The faults the timeline observes. */
	enum Fault {

		KILL("kill -9 of one of three nodes, left dead") {
			@Override
			void apply(MemcachedNode node) {
				node.kill();
			}
		},

		PAUSE("SIGSTOP of one of three nodes, paused for the whole observation") {
			@Override
			void apply(MemcachedNode node) {
				node.pause();
			}
		};

		final String description;

		Fault(String description) {
			this.description = description;
		}

		abstract void apply(MemcachedNode node);

	}

	/**
	 * The timeline of one fault.
	 *
	 * @param fault {@code kill} or {@code pause}
	 * @param description what was done to the node
	 * @param markedDownAfterMillis from the fault until the engine marked the node down;
	 * {@code null} if it did not within 10 s
	 * @param normalAgainAfterMillis from the fault until latency was back to normal;
	 * {@code null} if it was not within 10 s
	 * @param normalP50Micros the median p50 of the windows before the fault
	 * @param normalP99Micros the median p99 of the windows before the fault
	 * @param worstP99Micros the worst window p99 after the fault
	 * @param errorsAfterFault operations that failed (or read a miss) after the fault
	 * @param windows every 100 ms window
	 */
	public record Scenario(String fault, String description, @Nullable Long markedDownAfterMillis,
			@Nullable Long normalAgainAfterMillis, double normalP50Micros, double normalP99Micros,
			double worstP99Micros, int errorsAfterFault, List<Window> windows) {

	}

}
