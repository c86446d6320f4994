package io.memquorum.refill;

import java.util.Arrays;

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
 * a refill is dropped ({@link #skip}), since the refill itself shaped it.
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

	ForegroundBaseline(LatencyHistogram histogram) {
		this.histogram = histogram;
		this.windowStart = histogram.snapshot();
		Arrays.fill(this.p99s, -1);
	}

	/** Close the current window, if it counted enough commands. */
	void tick() {
		long[] now = this.histogram.snapshot();
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
