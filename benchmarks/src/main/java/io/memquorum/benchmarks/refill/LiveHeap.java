package io.memquorum.benchmarks.refill;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import io.memquorum.engine.ReplicatedMemcached;
import io.memquorum.node.NodeAddress;
import io.memquorum.refill.RefillStatus;
import io.memquorum.test.MemcachedNode;

/**
 * The heap a refill keeps alive, measured on a refill of its own: a node is restarted
 * empty on an idle cluster, and while the engine refills it, this thread collects the
 * whole heap again and again ({@link System#gc()}, which the JVM's default collectors
 * honour with a full collection), and the heap in use at the end of each is recorded as
 * the collector reports it ({@link RetainedHeap#fullCollectionsOnly()}; read afterwards,
 * the heap in use would also count the allocation buffers threads took since). The most
 * of those, less the same after two collections before the restart, is what the refill
 * held at its fullest moment that a collection caught: its key table, its batches and the
 * engine's buffers for them, but none of the garbage that a young collection promotes,
 * which {@link RetainedHeap#anyCollection()} cannot tell from live data.
 *
 * <p>
 * The collections slow the refill down, so this refill's rate is not reported: the rate
 * comes from the idle refill, which runs without them.
 */
record LiveHeap(long baselineBytes, long peakBytes, long collections, long listedKeys) {

	static LiveHeap during(ReplicatedMemcached engine, MemcachedNode victim) throws Exception {
		try (RetainedHeap heap = RetainedHeap.fullCollectionsOnly()) {
			System.gc();
			System.gc();
			heap.awaitCollections(2);
			long baseline = heap.lastAfterGc();
			heap.reset();
			Instant restartedAt = Instant.now();
			long restartedNanos = System.nanoTime();
			victim.restartEmpty();
			NodeAddress address = NodeAddress.parse(victim.address());
			long collections = 0;
			while (System.nanoTime() - restartedNanos < RefillTimeline.REFILL_LIMIT.toNanos()) {
				RefillStatus status = engine.refillStatus()
					.stream()
					.filter((s) -> s.address().equals(address))
					.findFirst()
					.orElseThrow();
				if (status.phase() == RefillStatus.Phase.COMPLETE && status.completedAt() != null
						&& status.completedAt().isAfter(restartedAt)) {
					heap.awaitCollections(2 + collections);
					return new LiveHeap(baseline, Math.max(baseline, heap.peakAfterGc()), collections, status.total());
				}
				if (status.phase() == RefillStatus.Phase.REFILLING) {
					System.gc();
					collections++;
				}
				else {
					Thread.sleep(2);
				}
			}
			throw new IllegalStateException("The refill of " + address + " did not complete within "
					+ RefillTimeline.REFILL_LIMIT.toMinutes() + " minutes");
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

}
