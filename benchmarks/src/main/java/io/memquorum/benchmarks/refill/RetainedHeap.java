package io.memquorum.benchmarks.refill;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;

/**
 * The heap the application retains, as the garbage collector sees it after each
 * collection, without forcing one while latencies are measured: the most heap in use
 * right after a collection that ended inside a window. The difference between that during
 * a refill and the same before it is the heap the refill holds (its listing, its
 * batches), plus whatever garbage a young collection happened to promote, so it is an
 * upper bound.
 */
final class RetainedHeap implements AutoCloseable {

	private final AtomicLong peakAfterGc = new AtomicLong(-1);

	private final List<NotificationEmitter> emitters = new ArrayList<>();

	private final NotificationListener listener = (notification, handback) -> {
		if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
			return;
		}
		GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo
			.from((CompositeData) notification.getUserData());
		long used = 0;
		for (MemoryUsage usage : info.getGcInfo().getMemoryUsageAfterGc().values()) {
			used += usage.getUsed();
		}
		long after = used;
		this.peakAfterGc.accumulateAndGet(after, Math::max);
	};

	RetainedHeap() {
		for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
			if (collector instanceof NotificationEmitter emitter) {
				emitter.addNotificationListener(this.listener, null, null);
				this.emitters.add(emitter);
			}
		}
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

	@Override
	public void close() throws Exception {
		for (NotificationEmitter emitter : this.emitters) {
			emitter.removeNotificationListener(this.listener);
		}
	}

}
