package io.memquorum.benchmarks.refill;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;

/**
 * The heap the application retains, as the garbage collector reports it at the end of
 * each collection: heap pools only (the collector also reports the code cache and
 * metaspace, which grow as the JIT compiles the code being measured).
 *
 * <p>
 * {@link #anyCollection()} counts every collection, without forcing one while latencies
 * are measured; the most heap in use after a young collection also counts whatever
 * garbage it promoted, so it is an upper bound. {@link #fullCollectionsOnly()} counts the
 * collections {@link System#gc()} asked for, after which the heap in use is what is alive
 * ({@link LiveHeap}).
 */
final class RetainedHeap implements AutoCloseable {

	private static final Set<String> HEAP_POOLS = ManagementFactory.getMemoryPoolMXBeans()
		.stream()
		.filter((pool) -> pool.getType() == MemoryType.HEAP)
		.map(MemoryPoolMXBean::getName)
		.collect(Collectors.toUnmodifiableSet());

	private final boolean fullOnly;

	private final AtomicLong last = new AtomicLong(-1);

	private final AtomicLong peakAfterGc = new AtomicLong(-1);

	private final AtomicLong collections = new AtomicLong();

	private final List<NotificationEmitter> emitters = new ArrayList<>();

	private final NotificationListener listener = this::collected;

	private void collected(Notification notification, Object handback) {
		if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
			return;
		}
		GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo
			.from((CompositeData) notification.getUserData());
		if (this.fullOnly && !"System.gc()".equals(info.getGcCause())) {
			return;
		}
		long used = 0;
		for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
			if (HEAP_POOLS.contains(pool.getKey())) {
				used += pool.getValue().getUsed();
			}
		}
		this.last.set(used);
		this.peakAfterGc.accumulateAndGet(used, Math::max);
		this.collections.incrementAndGet();
	}

	private RetainedHeap(boolean fullOnly) {
		this.fullOnly = fullOnly;
		for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
			if (collector instanceof NotificationEmitter emitter) {
				emitter.addNotificationListener(this.listener, null, null);
				this.emitters.add(emitter);
			}
		}
	}

	static RetainedHeap anyCollection() {
		return new RetainedHeap(false);
	}

	static RetainedHeap fullCollectionsOnly() {
		return new RetainedHeap(true);
	}

	/** Start a new window. */
	void reset() {
		this.peakAfterGc.set(-1);
	}

	/**
	 * The most heap in use after a collection since the last {@link #reset}.
	 * @return bytes, or -1 when no collection ended in the window
	 */
	long peakAfterGc() {
		return this.peakAfterGc.get();
	}

	/**
	 * The heap in use after the last collection counted.
	 * @return bytes, or -1 before the first
	 */
	long lastAfterGc() {
		return this.last.get();
	}

	/**
	 * Wait until so many collections were counted: their notifications arrive on a thread
	 * of their own, after {@link System#gc()} returns.
	 * @param expected collections counted since this was created
	 */
	void awaitCollections(long expected) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (this.collections.get() < expected && System.nanoTime() - deadline < 0) {
			Thread.sleep(1);
		}
	}

	@Override
	public void close() throws Exception {
		for (NotificationEmitter emitter : this.emitters) {
			emitter.removeNotificationListener(this.listener);
		}
	}

}
