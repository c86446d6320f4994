package io.memquorum.benchmarks.refill;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.memquorum.benchmarks.report.CommandLine;
import io.memquorum.refill.RefillStatus;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.metrics.EngineMetrics;
import io.memquorum.node.NodeAddress;
import io.memquorum.test.MemcachedCluster;
import io.memquorum.test.MemcachedNode;
import io.memquorum.test.MemcachedOptions;
import tools.jackson.databind.json.JsonMapper;

/**
 * Measurement 7: refill. Three memcached nodes, R = 3, hold N entries of 1 KB that nobody
 * reads, plus 4,096 hot keys. For each N, on one cluster and one engine:
 * <ol>
 * <li>Failure warm-up: with only the hot keys loaded, the foreground runs through one
 * restart of a node and its refill. The first node failure a JVM sees under load
 * deoptimizes the foreground's hot methods (JFR's {@code jdk.Deoptimization},
 * {@code unstable_if} in the read and write paths), which then run slower for a second or
 * two until recompiled: a cost of the first failure, not of refill, which would otherwise
 * fall inside the first measured refill under load.</li>
 * <li>First refill: the third node is restarted empty and refilled with no foreground
 * traffic, in a JVM that has not refilled before (reported apart, as
 * {@code mbPerSecondFirstRefill}); it is repeated until {@link #WARM_UP_KEYS} keys were
 * refilled, so that what follows measures compiled code, as in an application that has
 * run for a while.</li>
 * <li>Idle: one node is restarted empty with no foreground traffic and the engine refills
 * it. Reported: MB copied per second (envelope bytes, 2^20 to the MB, from the moment the
 * refill is seen running to its completeness marker).</li>
 * <li>Under load: foreground threads read (90 %) and write (10 %) the hot keys through
 * the same engine, another node is restarted empty, and the foreground p50/p99 of the
 * seconds before the restart is compared with the same while the refill runs. The seconds
 * between the restart and the start of the refill (the node is noticed restarted) belong
 * to neither. The restarted node serves reads meanwhile, but reads ask it after its peers
 * until it is refilled, so "during" measures mostly the refill's own traffic.</li>
 * <li>Heap: the third node is restarted empty on the idle cluster, and the heap the
 * refill keeps alive per key listed for the node is measured with full collections
 * ({@link LiveHeap}).</li>
 * </ol>
 *
 * <p>
 * Run with the whole comparison ({@code benchmarks/run}), alone with
 * {@code ONLY=refill benchmarks/run}, or after
 * {@code ./mvnw -q -pl benchmarks -am package -DskipTests}: <pre>
 * java -Xms1g -Xmx1g -cp 'benchmarks/target/classes:benchmarks/target/lib/*' io.memquorum.benchmarks.refill.RefillTimeline --entries=10000,100000,1000000 --out=refill.json
 * </pre> Options: {@code --threads=4}, {@code --pace=adaptive} (the engine's default) or
 * {@code fixed}, {@code --rate=} the entries-per-second ceiling (200,000 adaptive, 5,000
 * fixed), {@code --before-seconds=5}; for quicker looks while developing,
 * {@code --warm-up-keys=} (100,000) and {@code --heap=false} (no heap measurement).
 */
public final class RefillTimeline {

	private static final int VALUE_SIZE = 1024;

	private static final int HOT_KEYS = 4096;

	private static final double WRITE_SHARE = 0.10;

	/**
	 * How long one refill may take before the run gives up on it. A 1,000,000-entry
	 * refill under load held near the pace's floor (1,000 entries/s) takes up to 17
	 * minutes.
	 */
	static final Duration REFILL_LIMIT = Duration.ofMinutes(30);

	/**
	 * Keys refilled before the idle refill is measured: about what the JIT needs to
	 * compile the listing and copy paths (a 10,000-entry refill ran at a third of its
	 * later rate for the first six refills of a fresh JVM).
	 */
	private static final long WARM_UP_KEYS = 100_000;

	private final int threads;

	private final boolean adaptive;

	private final long rate;

	private final Duration before;

	private final long warmUpKeys;

	private final boolean measureHeap;

	private RefillTimeline(int threads, boolean adaptive, long rate, Duration before, long warmUpKeys,
			boolean measureHeap) {
		this.threads = threads;
		this.adaptive = adaptive;
		this.rate = rate;
		this.before = before;
		this.warmUpKeys = warmUpKeys;
		this.measureHeap = measureHeap;
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> options = CommandLine.options(args);
		Path output = Path.of(options.getOrDefault("out", "refill.json"));
		String pace = options.getOrDefault("pace", "adaptive");
		if (!pace.equals("adaptive") && !pace.equals("fixed")) {
			throw new IllegalArgumentException("--pace must be adaptive or fixed, got '" + pace + "'");
		}
		boolean adaptive = pace.equals("adaptive");
		RefillTimeline timeline = new RefillTimeline(Integer.parseInt(options.getOrDefault("threads", "4")), adaptive,
				Long.parseLong(options.getOrDefault("rate", adaptive ? "200000" : "5000")),
				Duration.ofSeconds(Long.parseLong(options.getOrDefault("before-seconds", "5"))),
				Long.parseLong(options.getOrDefault("warm-up-keys", String.valueOf(WARM_UP_KEYS))),
				Boolean.parseBoolean(options.getOrDefault("heap", "true")));
		List<Map<String, Object>> runs = new ArrayList<>();
		for (String entries : options.getOrDefault("entries", "10000,100000,1000000").split(",")) {
			Map<String, Object> run = timeline.run(Integer.parseInt(entries.trim()));
			System.out.printf(Locale.ROOT,
					"refill of %,d entries: %.2f MB/s idle, %.2f MB/s under load; foreground p99 %.2f ms before, "
							+ "%.2f ms during (x%.2f); heap %s bytes per listed key%n",
					run.get("entries"), run.get("mbPerSecond"), run.get("mbPerSecondUnderLoad"), run.get("p99Before"),
					run.get("p99During"), run.get("p99Ratio"), run.get("heapBytesPerKey"));
			runs.add(run);
			// Written after each size, so that a later size that fails loses only itself.
			Map<String, Object> result = new LinkedHashMap<>();
			result.put("threads", timeline.threads);
			result.put("pace", pace);
			result.put("refillEntriesPerSecondLimit", timeline.rate);
			result.put("valueBytes", VALUE_SIZE);
			result.put("runs", runs);
			Files.writeString(output,
					JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsString(result));
		}
	}

	private Map<String, Object> run(int entries) throws Exception {
		int megabytes = Math.max(64, (int) ((long) entries * 2 * VALUE_SIZE / (1024 * 1024)) + 64);
		try (MemcachedCluster cluster = MemcachedCluster.start(3,
				MemcachedOptions.defaults().withMemoryMegabytes(megabytes))) {
			CopiedBytes copied = new CopiedBytes();
			ReplicatedMemcached engine = ReplicatedMemcached.builder()
				.servers(cluster.addresses())
				.refillEntriesPerSecond(this.rate)
				.refillBytesPerSecond(this.adaptive ? 256L << 20 : 16L << 20)
				.refillAdaptive(this.adaptive)
				.refillCheckInterval(Duration.ofSeconds(1))
				.metrics(copied)
				.build();
			try {
				// The first check finds the new, empty nodes without a marker and marks
				// them
				// complete; loading before that would make it a refill of its own.
				waitUntil(
						() -> engine.refillStatus()
							.stream()
							.allMatch((status) -> status.phase() == RefillStatus.Phase.COMPLETE),
						Duration.ofMinutes(1));
				byte[] value = new byte[VALUE_SIZE];
				ThreadLocalRandom.current().nextBytes(value);
				load(engine, HOT_KEYS, "hot:", value);
				for (MemcachedNode node : cluster.nodes()) {
					waitUntil(() -> node.currentItems() >= HOT_KEYS, Duration.ofMinutes(2));
				}
				if (this.threads > 0) {
					// The first node failure a JVM sees under load deoptimizes the
					// foreground's hot methods (branches for a node that is down or
					// returning, never taken before), which run slower for a second or
					// two until recompiled, whatever refill does. Seen once here, with
					// only the hot keys to refill, before the measured restarts.
					try (RetainedHeap heap = RetainedHeap.anyCollection()) {
						measure(engine, cluster.node(1), HOT_KEYS, value, copied, heap, this.threads);
					}
				}
				load(engine, entries, "cold:", value);
				for (MemcachedNode node : cluster.nodes()) {
					waitUntil(() -> node.currentItems() >= entries + HOT_KEYS, Duration.ofMinutes(2));
				}
				waitUntil(
						() -> engine.refillStatus()
							.stream()
							.allMatch((status) -> status.phase() == RefillStatus.Phase.COMPLETE),
						Duration.ofMinutes(1));
				try (RetainedHeap heap = RetainedHeap.anyCollection()) {
					// First on an otherwise idle cluster: how fast refill goes when
					// nothing
					// holds it back, and the heap it needs. Then, on another node, under
					// the foreground load: what it costs the foreground.
					// The first refill in this JVM runs the copy path before the JIT has
					// compiled it: reported apart, then refills are repeated until
					// WARM_UP_KEYS keys were copied, as a long-running application has.
					Map<String, Object> first = measure(engine, cluster.node(2), entries, value, copied, heap, 0);
					long warmedKeys = ((Number) first.get("examined")).longValue();
					int warmUps = 1;
					while (warmedKeys < this.warmUpKeys) {
						Map<String, Object> warmUp = measure(engine, cluster.node(2), entries, value, copied, heap, 0);
						warmedKeys += ((Number) warmUp.get("examined")).longValue();
						warmUps++;
					}
					Map<String, Object> idle = measure(engine, cluster.node(0), entries, value, copied, heap, 0);
					Map<String, Object> loaded = measure(engine, cluster.node(1), entries, value, copied, heap,
							this.threads);
					LiveHeap live = this.measureHeap ? LiveHeap.during(engine, cluster.node(2)) : null;
					Map<String, Object> row = new LinkedHashMap<>();
					row.put("entries", entries);
					row.put("mbPerSecond", idle.get("mbPerSecond"));
					row.put("p99Before", loaded.get("p99Before"));
					row.put("p99During", loaded.get("p99During"));
					row.put("heapBytesPerKey", (live != null) ? round(live.bytesPerKey(), 1) : null);
					row.put("liveHeap", (live != null) ? live.describe() : null);
					row.put("mbPerSecondFirstRefill", first.get("mbPerSecond"));
					row.put("warmUpRefills", warmUps);
					row.put("mbPerSecondUnderLoad", loaded.get("mbPerSecond"));
					row.put("p99Ratio", loaded.get("p99Ratio"));
					row.put("idle", idle);
					row.put("underLoad", loaded);
					return row;
				}
			}
			finally {
				engine.close();
			}
		}
	}

	private Map<String, Object> measure(ReplicatedMemcached engine, MemcachedNode victim, int entries, byte[] value,
			CopiedBytes copied, RetainedHeap heap, int threads) throws Exception {
		AtomicBoolean stop = new AtomicBoolean();
		AtomicReference<String> phase = new AtomicReference<>("warmup");
		AtomicLong errors = new AtomicLong();
		List<Thread> workers = new ArrayList<>();
		List<long[][]> perThread = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			long[][] buffers = { new long[1 << 20], new long[1 << 20] };
			int[] sizes = new int[2];
			perThread.add(buffers);
			Thread worker = new Thread(() -> {
				ThreadLocalRandom random = ThreadLocalRandom.current();
				while (!stop.get()) {
					String key = "hot:" + random.nextInt(HOT_KEYS);
					long start = System.nanoTime();
					try {
						if (random.nextDouble() < WRITE_SHARE) {
							engine.set(key, value, Duration.ofHours(1));
						}
						else if (engine.get(key) == null) {
							errors.incrementAndGet();
						}
					}
					catch (RuntimeException ex) {
						errors.incrementAndGet();
					}
					long latency = System.nanoTime() - start;
					int slot = switch (phase.get()) {
						case "before" -> 0;
						case "during" -> 1;
						default -> -1;
					};
					if (slot >= 0 && sizes[slot] < buffers[slot].length - 1) {
						buffers[slot][++sizes[slot]] = latency;
						buffers[slot][0] = sizes[slot];
					}
				}
			}, "foreground-" + t);
			workers.add(worker);
			worker.start();
		}
		Thread.sleep(2_000);
		// One full collection before anything is measured, so that the heap retained
		// after the collections of the refill compares with a clean start.
		heap.reset();
		System.gc();
		phase.set("before");
		Thread.sleep(this.before.toMillis());
		long heapBefore = heap.peakAfterGc();
		phase.set("restart");
		errors.set(0);
		Instant restartedAt = Instant.now();
		long restartedNanos = System.nanoTime();
		victim.restartEmpty();
		String address = victim.address();
		long startedNanos = -1;
		long copiedBefore = copied.bytes.get();
		long entriesBefore = copied.entries.get();
		RefillStatus done = null;
		while (System.nanoTime() - restartedNanos < REFILL_LIMIT.toNanos()) {
			RefillStatus status = statusOf(engine, address);
			if (startedNanos < 0 && status.phase() == RefillStatus.Phase.REFILLING) {
				startedNanos = System.nanoTime();
				phase.set("during");
				heap.reset();
			}
			if (status.phase() == RefillStatus.Phase.COMPLETE && status.completedAt() != null
					&& status.completedAt().isAfter(restartedAt)) {
				done = status;
				break;
			}
			Thread.sleep(2);
		}
		long finishedNanos = System.nanoTime();
		long heapDuring = heap.peakAfterGc();
		phase.set("after");
		stop.set(true);
		for (Thread worker : workers) {
			worker.join();
		}
		if (done == null) {
			throw new IllegalStateException(
					"The refill of " + address + " did not complete within " + REFILL_LIMIT.toMinutes() + " minutes");
		}
		if (startedNanos < 0) {
			startedNanos = restartedNanos;
		}
		double seconds = (finishedNanos - startedNanos) / 1e9;
		long copiedEntries = copied.entries.get() - entriesBefore;
		long examined = done.total();
		double megabytes = (copied.bytes.get() - copiedBefore) / (1024.0 * 1024.0);
		double[] before = percentiles(perThread, 0);
		double[] during = percentiles(perThread, 1);
		Map<String, Object> run = new LinkedHashMap<>();
		run.put("entries", entries);
		run.put("mbPerSecond", round(megabytes / seconds, 2));
		run.put("p99Before", round(before[1], 3));
		run.put("p99During", round(during[1], 3));
		// Heap retained after collections during the refill, less the same before it,
		// per key the peers listed for the node; null when no collection ended in one of
		// the two windows.
		run.put("heapBytesPerKey", (heapBefore < 0 || heapDuring < 0 || examined == 0) ? null
				: round(Math.max(0, heapDuring - heapBefore) / (double) examined, 1));
		run.put("heapRetainedBefore", heapBefore);
		run.put("heapRetainedDuring", heapDuring);
		run.put("entriesWithHot", entries + HOT_KEYS);
		run.put("copied", copiedEntries);
		run.put("refillSeconds", round(seconds, 2));
		run.put("secondsFromRestartToComplete", round((finishedNanos - restartedNanos) / 1e9, 2));
		run.put("examined", examined);
		run.put("entriesPerSecond", round(examined / seconds, 0));
		run.put("copiedPerSecond", round(copiedEntries / seconds, 0));
		run.put("p50BeforeMillis", round(before[0], 3));
		run.put("p50DuringMillis", round(during[0], 3));
		run.put("p99Ratio", round(during[1] / before[1], 2));
		run.put("samplesBefore", (long) before[2]);
		run.put("samplesDuring", (long) during[2]);
		run.put("errors", errors.get());
		return run;
	}

	private static RefillStatus statusOf(ReplicatedMemcached engine, String address) {
		NodeAddress node = NodeAddress.parse(address);
		return engine.refillStatus().stream().filter((s) -> s.address().equals(node)).findFirst().orElseThrow();
	}

	/** p50 and p99 in milliseconds, and the sample count. */
	private static double[] percentiles(List<long[][]> perThread, int slot) {
		int total = 0;
		for (long[][] buffers : perThread) {
			total += (int) buffers[slot][0];
		}
		long[] all = new long[total];
		int at = 0;
		for (long[][] buffers : perThread) {
			int size = (int) buffers[slot][0];
			System.arraycopy(buffers[slot], 1, all, at, size);
			at += size;
		}
		if (all.length == 0) {
			return new double[] { Double.NaN, Double.NaN, 0 };
		}
		Arrays.sort(all);
		return new double[] { all[(int) (all.length * 0.50)] / 1e6,
				all[Math.min(all.length - 1, (int) (all.length * 0.99))] / 1e6, all.length };
	}

	private static void load(ReplicatedMemcached engine, int count, String prefix, byte[] value) {
		List<CompletableFuture<Void>> batch = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			batch.add(engine.setAsync(prefix + i, value, Duration.ofHours(1)));
			if (batch.size() == 256 || i == count - 1) {
				CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).join();
				batch.clear();
			}
		}
	}

	private static void waitUntil(java.util.function.BooleanSupplier condition, Duration limit)
			throws InterruptedException {
		long deadline = System.nanoTime() + limit.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() - deadline > 0) {
				throw new IllegalStateException("Timed out after " + limit);
			}
			Thread.sleep(20);
		}
	}

	private static double round(double value, int digits) {
		double scale = Math.pow(10, digits);
		return Math.round(value * scale) / scale;
	}

	/** Counts the entries and envelope bytes refill copies. */
	private static final class CopiedBytes implements EngineMetrics {

		final AtomicLong entries = new AtomicLong();

		final AtomicLong bytes = new AtomicLong();

		@Override
		public void refillCopied(NodeAddress node, long bytes) {
			this.entries.incrementAndGet();
			this.bytes.addAndGet(bytes);
		}

	}

}
