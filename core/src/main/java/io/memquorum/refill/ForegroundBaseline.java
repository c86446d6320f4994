package io.memquorum.refill;

import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * The foreground p99 before a refill: what an {@link AdaptivePace} compares the
 * foreground with while the refill runs.
 *
 * <p>
 * The refill thread {@link #tick ticks} at every check of the nodes (every
 * {@code checkInterval}) and once more just before a refill starts; each tick closes a
 * window of the {@link LatencyHistogram} since the previous one. The baseline is the
 * lowest p99 of the last {@link #WINDOWS} windows that counted at least
 * {@link #MIN_SAMPLES} commands: the lowest, because the window just before a refill
 * often holds the disturbance that made it necessary (a node restarting, commands timing
 * out), and a baseline taken from it would let the refill slow the foreground further.
 * Windows too sparse to say anything are merged into the next one. The window that covers
 * a refill is dropped ({@link #skip}), since the refill itself shaped it. Whether the
 * foreground is idle now ({@link #isIdleNow}) is judged on the last interval alone: a
 * baseline from a busy minute ago says nothing about a foreground that has stopped.
 *
 * <p>
 * Used by the refill thread only; not thread-safe.
 */
final class ForegroundBaseline {

	static final int WINDOWS = 3;

	static final long MIN_SAMPLES = 50;

	private final LatencyHistogram histogram;

	private long[] windowStart;

	private final long[] p99s = new long[WINDOWS];

	private int next;

	/**
	 * The shortest interval whose silence says the foreground is idle: a tick right after
	 * another (a refill started by a peer coming back) saw too little time to tell.
	 */
	static final long MIN_IDLE_INTERVAL_NANOS = 500_000_000L;

	private final LongSupplier nanoClock;

	/** Where the histogram stood at the last judged tick, whatever the window did. */
	private long[] lastTick;

	private long lastTickNanos;

	private boolean idleSinceLastTick = true;

	ForegroundBaseline(LatencyHistogram histogram) {
		this(histogram, System::nanoTime);
	}

	ForegroundBaseline(LatencyHistogram histogram, LongSupplier nanoClock) {
		this.histogram = histogram;
		this.nanoClock = nanoClock;
		this.lastTickNanos = nanoClock.getAsLong();
		this.windowStart = histogram.snapshot();
		this.lastTick = this.windowStart;
		Arrays.fill(this.p99s, -1);
	}

	/** Close the current window, if it counted enough commands. */
	void tick() {
		long[] now = this.histogram.snapshot();
		long nowNanos = this.nanoClock.getAsLong();
		if (nowNanos - this.lastTickNanos >= MIN_IDLE_INTERVAL_NANOS) {
			this.idleSinceLastTick = LatencyHistogram.count(this.lastTick, now) == 0;
			this.lastTick = now;
			this.lastTickNanos = nowNanos;
		}
		if (LatencyHistogram.count(this.windowStart, now) < MIN_SAMPLES) {
			return;
		}
		this.p99s[this.next] = LatencyHistogram.percentile(this.windowStart, now, 0.99);
		this.next = (this.next + 1) % WINDOWS;
		this.windowStart = now;
	}

	/** Forget the current window: a refill ran through it. */
	void skip() {
		this.windowStart = this.histogram.snapshot();
	}

	/**
	 * Whether the foreground sent nothing sampled in the last interval between ticks (of
	 * at least {@link #MIN_IDLE_INTERVAL_NANOS}): a refill starting now has nothing to
	 * protect, whatever the p99 of older windows.
	 * @return {@code true} before the first such interval too
	 */
	boolean isIdleNow() {
		return this.idleSinceLastTick;
	}

	/**
	 * The foreground p99 before now.
	 * @return nanoseconds, or -1 when no window counted enough commands
	 */
	long p99Nanos() {
		long lowest = -1;
		for (long p99 : this.p99s) {
			if (p99 >= 0 && (lowest < 0 || p99 < lowest)) {
				lowest = p99;
			}
		}
		return lowest;
	}

}
