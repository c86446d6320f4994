package io.memquorum.benchmarks.refill;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;

import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.node.NodeAddress;
import io.memquorum.refill.RefillStatus;
import io.memquorum.test.MemcachedNode;

/**
 * The heap a refill keeps alive, measured on a refill of its own: a node is restarted
 * empty on an idle cluster, and while the engine refills it, this thread collects the
 * whole heap again and again ({@link System#gc()}, which the JVM's default collectors
 * honour with a full collection) and records the heap in use at the end of each, as the
 * collector reports it (read afterwards, the heap in use would also count the allocation
 * buffers threads took since). The most of those, less the same after two collections
 * before the restart, is what the refill held at its fullest moment that a collection
 * caught: its key table, its batches and the engine's buffers for them, but none of the
 * garbage that a young collection promotes, which {@link RetainedHeap} cannot tell from
 * live data.
 *
 * <p>
 * The collections slow the refill down, so this refill's rate is not reported: the rate
 * comes from the idle refill, which runs without them.
 */
record LiveHeap(long baselineBytes, long peakBytes, long collections, long listedKeys) {

	static LiveHeap during(ReplicatedMemcached engine, MemcachedNode victim) throws Exception {
		try (AfterFullCollections after = new AfterFullCollections()) {
			System.gc();
			System.gc();
			// Notifications arrive on a thread of their own, after System.gc() returns.
			after.awaitCount(2);
			long baseline = after.last.get();
			after.peak.set(baseline);
			Instant restartedAt = Instant.now();
			long restartedNanos = System.nanoTime();
			victim.restartEmpty();
			NodeAddress address = NodeAddress.parse(victim.address());
			long collections = 0;
			while (System.nanoTime() - restartedNanos < TimeUnit.MINUTES.toNanos(10)) {
				RefillStatus status = engine.refillStatus()
					.stream()
					.filter((s) -> s.address().equals(address))
					.findFirst()
					.orElseThrow();
				if (status.phase() == RefillStatus.Phase.COMPLETE && status.completedAt() != null
						&& status.completedAt().isAfter(restartedAt)) {
					after.awaitCount(2 + collections);
					return new LiveHeap(baseline, after.peak.get(), collections, status.total());
				}
				if (status.phase() == RefillStatus.Phase.REFILLING) {
					System.gc();
					collections++;
				}
				else {
					Thread.sleep(2);
				}
			}
			throw new IllegalStateException("The refill of " + address + " did not complete within 10 minutes");
		}
	}

	/** Live heap per listed key, bytes; 0 when the refill listed nothing. */
	double bytesPerKey() {
		return (this.listedKeys == 0) ? 0 : Math.max(0, this.peakBytes - this.baselineBytes) / (double) this.listedKeys;
	}

	Map<String, Object> describe() {
		Map<String, Object> described = new LinkedHashMap<>();
		described.put("baselineBytes", this.baselineBytes);
		described.put("peakBytes", this.peakBytes);
		described.put("collectionsDuringRefill", this.collections);
		described.put("listedKeys", this.listedKeys);
		return described;
	}

	/** The heap in use at the end of each collection that System.gc() asked for. */
	private static final class AfterFullCollections implements AutoCloseable {

		final AtomicLong last = new AtomicLong(-1);

		final AtomicLong count = new AtomicLong();

		final AtomicLong peak = new AtomicLong(-1);

		private final List<NotificationEmitter> emitters = new ArrayList<>();

		private final NotificationListener listener = (notification, handback) -> {
			if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
				return;
			}
			GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo
				.from((CompositeData) notification.getUserData());
			if (!"System.gc()".equals(info.getGcCause())) {
				return;
			}
			long used = 0;
			for (MemoryUsage usage : info.getGcInfo().getMemoryUsageAfterGc().values()) {
				used += usage.getUsed();
			}
			this.last.set(used);
			this.peak.accumulateAndGet(used, Math::max);
			this.count.incrementAndGet();
		};

		void awaitCount(long expected) throws InterruptedException {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
			while (this.count.get() < expected && System.nanoTime() - deadline < 0) {
				Thread.sleep(1);
			}
		}

		AfterFullCollections() {
			for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
				if (collector instanceof NotificationEmitter emitter) {
					emitter.addNotificationListener(this.listener, null, null);
					this.emitters.add(emitter);
				}
			}
		}

		@Override
		public void close() throws Exception {
			for (NotificationEmitter emitter : this.emitters) {
				emitter.removeNotificationListener(this.listener);
			}
		}

	}

}
