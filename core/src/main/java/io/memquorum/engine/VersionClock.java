package io.memquorum.engine;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A hybrid logical clock: issues strictly increasing versions that follow the wall clock
 * where clocks agree, and causality where they do not.
 *
 * <p>
 * A version is epoch milliseconds in the high bits and a 20-bit counter in the low bits.
 * {@link #next()} returns the larger of the wall clock and one more than anything this
 * clock issued or {@linkplain #observe(long) observed}. Every version a process reads is
 * observed, so a write is always newer than everything its writer had seen: a logout
 * issued on an instance whose clock runs a second behind still dominates the session
 * state it read, and a change made after reading another instance's change wins over it.
 * Writes that did not see each other (truly concurrent) are ordered by wall clock, which
 * is as good as the clocks are.
 *
 * <p>
 * A version read from untrusted bytes far in the future would drag this clock along;
 * observations further ahead of the wall clock than {@link #MAX_AHEAD_MILLIS} are
 * ignored, so that one forged entry cannot push every later version into the far future.
 */
public final class VersionClock {

	/** How far ahead of this process's wall clock an observed version may be. */
	public static final long MAX_AHEAD_MILLIS = 60L * 60 * 1000;

	private static final int COUNTER_BITS = 20;

	private final AtomicLong last = new AtomicLong();

	private final LongSupplier millis;

	/**
	 * A clock on a wall clock.
	 * @param millis epoch milliseconds, {@code System::currentTimeMillis} outside tests
	 */
	public VersionClock(LongSupplier millis) {
		this.millis = millis;
	}

	/**
	 * A new version, larger than every version issued or observed so far.
	 * @return the version
	 */
	public long next() {
		long floor = this.millis.getAsLong() << COUNTER_BITS;
		return this.last.updateAndGet((previous) -> Math.max(previous + 1, floor));
	}

	/**
	 * Take note of a version read, so that every later {@link #next()} is larger.
	 * @param version a version read from a replica
	 */
	public void observe(long version) {
		if (version <= this.last.get()) {
			return;
		}
		long ceiling = (this.millis.getAsLong() + MAX_AHEAD_MILLIS) << COUNTER_BITS;
		if (version > ceiling) {
			return;
		}
		this.last.accumulateAndGet(version, Math::max);
	}

	/**
	 * The wall-clock part of a version.
	 * @param version a version
	 * @return epoch milliseconds
	 */
	public static long millisOf(long version) {
		return version >>> COUNTER_BITS;
	}

	/**
	 * The wall clock this clock follows.
	 * @return epoch milliseconds now
	 */
	public long wallMillis() {
		return this.millis.getAsLong();
	}

}
