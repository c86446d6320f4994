package io.memquorum.engine;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Issues strictly increasing write versions that also order writes across processes by
 * wall clock: the high bits are epoch milliseconds, the low 20 bits a counter within the
 * millisecond. Two processes whose clocks disagree by more than the time between two
 * writes of the same key can order those writes wrongly; the consistency contract says
 * so.
 */
final class VersionClock {

	private static final int COUNTER_BITS = 20;

	private final AtomicLong last = new AtomicLong();

	private final LongSupplier millis;

	VersionClock(LongSupplier millis) {
		this.millis = millis;
	}

	long next() {
		long floor = this.millis.getAsLong() << COUNTER_BITS;
		return this.last.updateAndGet((previous) -> Math.max(previous + 1, floor));
	}

}
