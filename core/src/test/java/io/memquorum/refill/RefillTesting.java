package io.memquorum.refill;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

import io.memquorum.engine.Envelope;
import io.memquorum.engine.NodeStatus;
import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.metrics.EngineMetrics;
import io.memquorum.node.NodeAddress;
import io.memquorum.test.MemcachedNode;
import org.jspecify.annotations.Nullable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the refill tests share: fast failure detection, a refill rate high enough to keep
 * each test to seconds, and ways to look at one node directly.
 */
public final class RefillTesting {

	public static final Duration SETTLE = Duration.ofSeconds(30);

	private RefillTesting() {
	}

	public static ReplicatedMemcached.Builder fast(ReplicatedMemcached.Builder builder) {
		return builder.operationTimeout(Duration.ofMillis(500))
			.probeInterval(Duration.ofMillis(50))
			.maxProbeInterval(Duration.ofMillis(400))
			.restartCheckInterval(Duration.ofMillis(300))
			.reconnectInterval(Duration.ofMillis(200))
			.refillEntriesPerSecond(200_000)
			.refillBytesPerSecond(1L << 30)
			// A fixed rate: these tests are about what refill copies, not how it paces
			// itself (RefillPacingTests).
			.refillAdaptive(false)
			.refillCheckInterval(Duration.ofMillis(300))
			.refillLeaseTtl(Duration.ofSeconds(10));
	}

	public static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Run writes in bounded batches of asynchronous calls.
	 */
	public static void inBatches(int count, IntFunction<CompletableFuture<?>> write) {
		List<CompletableFuture<?>> batch = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			batch.add(write.apply(i));
			if (batch.size() == 200 || i == count - 1) {
				CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).orTimeout(30, TimeUnit.SECONDS).join();
				batch.clear();
			}
		}
	}

	public static RefillStatus refillOf(ReplicatedMemcached engine, String address) {
		NodeAddress node = NodeAddress.parse(address);
		return engine.refillStatus().stream().filter((s) -> s.address().equals(node)).findFirst().orElseThrow();
	}

	public static NodeStatus nodeOf(ReplicatedMemcached engine, String address) {
		NodeAddress node = NodeAddress.parse(address);
		return engine.nodeStatus().stream().filter((s) -> s.address().equals(node)).findFirst().orElseThrow();
	}

	/** Wait until the engine knows every node complete, each one since {@code since}. */
	public static void awaitEveryNodeComplete(ReplicatedMemcached engine, Instant since) {
		await().atMost(SETTLE).untilAsserted(() -> assertThat(engine.refillStatus()).allSatisfy((status) -> {
			assertThat(status.phase()).as("%s", status).isEqualTo(RefillStatus.Phase.COMPLETE);
			assertThat(status.completedAt()).as("%s", status).isAfterOrEqualTo(since.minusSeconds(1));
		}));
	}

	/** Wait until the engine knows one node complete since {@code since}. */
	public static void awaitComplete(ReplicatedMemcached engine, MemcachedNode node, Instant since) {
		await().atMost(SETTLE).untilAsserted(() -> {
			RefillStatus status = refillOf(engine, node.address());
			assertThat(status.phase()).as("%s", status).isEqualTo(RefillStatus.Phase.COMPLETE);
			assertThat(status.completedAt()).as("%s", status).isAfter(since);
		});
	}

	public static Set<String> keysOn(MemcachedNode node) {
		return new HashSet<>(node.keys());
	}

	/**
	 * The keys of {@code expected} that the node does not hold. memcached's key listing
	 * is not a snapshot (items moving between its LRU queues can be missed), so a key the
	 * listing lacks is looked up before it counts as missing.
	 */
	public static List<String> missingOn(MemcachedNode node, Collection<String> expected) {
		Set<String> listed = keysOn(node);
		return expected.stream().filter((key) -> !listed.contains(key) && node.rawGet(key) == null).toList();
	}

	public static @Nullable Envelope envelopeOn(MemcachedNode node, String key) {
		byte[] raw = node.rawGet(key);
		return (raw != null) ? Envelope.decode(Envelope.FLAGS, raw) : null;
	}

	/** Counts what refill copied, and its finished runs, per node. */
	public static final class CopyCounter implements EngineMetrics {

		private final Map<NodeAddress, AtomicLong> copied = new ConcurrentHashMap<>();

		private final Map<NodeAddress, AtomicLong> runs = new ConcurrentHashMap<>();

		@Override
		public void refillCopied(NodeAddress node, long bytes) {
			this.copied.computeIfAbsent(node, (n) -> new AtomicLong()).incrementAndGet();
		}

		@Override
		public void refillFinished(NodeAddress node, boolean complete) {
			this.runs.computeIfAbsent(node, (n) -> new AtomicLong()).incrementAndGet();
		}

		public long runsOf(String address) {
			AtomicLong count = this.runs.get(NodeAddress.parse(address));
			return (count != null) ? count.get() : 0;
		}

		public long copiedTo(String address) {
			AtomicLong count = this.copied.get(NodeAddress.parse(address));
			return (count != null) ? count.get() : 0;
		}

	}

}
