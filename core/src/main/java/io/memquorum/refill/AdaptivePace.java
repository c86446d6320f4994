package io.memquorum.refill;

import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses how many entries per second a refill may copy from the foreground latency it
 * causes: as fast as the nodes allow while the foreground p99 stays within
 * {@code latencyFactor} times its value before the refill ({@link ForegroundBaseline}).
 *
 * <h2>Control</h2> Additive steps would take minutes to span the range from a loaded
 * production cluster to an idle loopback one, so both steps are multiplicative. At the
 * end of each window (at least {@link #WINDOW_NANOS} and {@link #MIN_SAMPLES} sampled
 * foreground operations, or none at all, or {@link #IDLE_WINDOW_NANOS} whatever the
 * count) the limit grows by {@link #INCREASE} when the window's p99 is within the bound
 * (by {@link #IDLE_INCREASE} when the window held no foreground operation at all), stays
 * when one window is over it (a collection pause or a scheduling hiccup is no reason to
 * slow down), and shrinks by {@link #DECREASE} for each further window in a row over it.
 * A window with too few commands is a foreground with little to protect, and the limit
 * grows. The limit stays between {@code floor}, so that a refill under a slow foreground
 * still finishes, and {@code ceiling}, the configured maximum; and it grows to at most
 * twice the rate the refill achieved in the window, so that a refill held back by round
 * trips rather than by the limit does not build up a limit that a later slowdown would
 * take many windows to bring down.
 *
 * <h2>Start</h2> A refill whose foreground was busy before it (a baseline is known)
 * starts at {@link #START_ENTRIES_PER_SECOND}, low enough that its first windows, before
 * any window has said anything, cannot hurt the foreground much, and grows from there. A
 * refill whose foreground was idle (no baseline) has nothing to protect and starts at the
 * ceiling: a small node is then refilled in a fraction of a second instead of spending it
 * ramping up. If a foreground appears while it runs, the first window with enough
 * commands was shaped by the full-speed refill and cannot serve as a baseline: the limit
 * drops to the start rate, and the next window with enough commands becomes the baseline.
 *
 * <p>
 * Used by the refill thread only; not thread-safe.
 */
final class AdaptivePace {

	private static final Logger logger = LoggerFactory.getLogger(AdaptivePace.class);

	static final long WINDOW_NANOS = 200_000_000L;

	static final long IDLE_WINDOW_NANOS = 1_000_000_000L;

	static final long MIN_SAMPLES = 20;

	static final double INCREASE = 1.25;

	/**
	 * The step of a window in which the foreground sent nothing: with nothing to protect,
	 * the refill gets to the rate the nodes allow within a few windows (still at most
	 * twice the rate it achieved).
	 */
	static final double IDLE_INCREASE = 2.0;

	static final double DECREASE = 0.6;

	/**
	 * Below this share of the bound the limit grows; between it and the bound it holds.
	 * Well below the bound, because the bound is judged per window while the foreground
	 * feels the p99 of the whole refill, which the windows over the bound (until the
	 * second in a row brings the limit down) dominate: holding from three quarters of the
	 * bound, a 100,000-entry refill under load kept its windows within the bound and
	 * still took the refill's p99 to 2.5 times the one before.
	 */
	static final double HEADROOM = 0.6;

	/** The slowest an adaptive refill copies, whatever the foreground says. */
	static final long FLOOR_ENTRIES_PER_SECOND = 1_000;

	/**
	 * Where a refill with a busy foreground starts, before the first window says
	 * anything; and where one that started on an idle foreground drops when a foreground
	 * appears.
	 */
	static final long START_ENTRIES_PER_SECOND = 2_000;

	private final LatencyHistogram foreground;

	private final double latencyFactor;

	private final long floor;

	private final long ceiling;

	private final LongSupplier nanoClock;

	private long baselineNanos;

	private double limit;

	private long windowStartNanos;

	private long[] windowStart;

	private long windowEntries;

	private long lastP99Nanos = -1;

	private int windowsOver;

	/**
	 * Started at the ceiling on an idle foreground, and no foreground window seen since:
	 * the first busy window only brings the limit down.
	 */
	private boolean startedIdle;

	/**
	 * @param foreground the engine's foreground latencies
	 * @param latencyFactor how many times its value before the refill the foreground p99
	 * may reach, more than 1
	 * @param baselineNanos the foreground p99 before the refill, or -1 when unknown
	 * @param ceiling the most entries per second, as configured
	 * @param nanoClock {@link System#nanoTime()} outside tests
	 */
	AdaptivePace(LatencyHistogram foreground, double latencyFactor, long baselineNanos, long ceiling,
			LongSupplier nanoClock) {
		if (!(latencyFactor > 1)) {
			throw new IllegalArgumentException("The refill latency factor must be more than 1, got " + latencyFactor);
		}
		this.foreground = foreground;
		this.latencyFactor = latencyFactor;
		this.baselineNanos = baselineNanos;
		this.ceiling = Math.max(1, ceiling);
		this.floor = Math.min(FLOOR_ENTRIES_PER_SECOND, this.ceiling);
		this.startedIdle = baselineNanos < 0;
		this.limit = this.startedIdle ? this.ceiling : Math.min(START_ENTRIES_PER_SECOND, this.ceiling);
		this.nanoClock = nanoClock;
		this.windowStartNanos = nanoClock.getAsLong();
		this.windowStart = foreground.snapshot();
	}

	/**
	 * Book entries about to be copied and return the limit they are paced at.
	 * @param entries entries about to be copied
	 * @return entries per second
	 */
	long entriesPerSecond(int entries) {
		long now = this.nanoClock.getAsLong();
		long elapsed = now - this.windowStartNanos;
		if (elapsed >= WINDOW_NANOS) {
			long[] counts = this.foreground.snapshot();
			long samples = LatencyHistogram.count(this.windowStart, counts);
			if (samples >= MIN_SAMPLES || samples == 0 || elapsed >= IDLE_WINDOW_NANOS) {
				long p99 = (samples >= MIN_SAMPLES) ? LatencyHistogram.percentile(this.windowStart, counts, 0.99) : -1;
				adjust(p99, this.windowEntries * 1e9 / elapsed);
				this.windowStartNanos = now;
				this.windowStart = counts;
				this.windowEntries = 0;
			}
		}
		this.windowEntries += entries;
		return (long) this.limit;
	}

	private void adjust(long p99, double achieved) {
		if (logger.isDebugEnabled()) {
			logger.debug(
					"Refill pace window: foreground p99 {} ns (before the refill {} ns), {} entries/s achieved, "
							+ "limit {} entries/s",
					p99, this.baselineNanos, Math.round(achieved), Math.round(this.limit));
		}
		this.lastP99Nanos = p99;
		if (p99 >= 0 && this.startedIdle) {
			// The refill ran at full speed through this window: its p99 says what the
			// refill did to the foreground, not what the foreground was without it.
			this.startedIdle = false;
			this.limit = Math.max(this.floor, Math.min(START_ENTRIES_PER_SECOND, this.ceiling));
			return;
		}
		if (p99 >= 0 && this.baselineNanos < 0) {
			this.baselineNanos = p99;
		}
		if (p99 >= 0 && p99 > this.latencyFactor * this.baselineNanos) {
			// One window over the bound holds the limit (a collection pause, a scheduling
			// hiccup on a busy machine); a second in a row brings it down.
			this.windowsOver++;
			if (this.windowsOver >= 2) {
				this.limit = Math.max(this.floor, this.limit * DECREASE);
			}
			return;
		}
		this.windowsOver = 0;
		if (p99 >= 0 && p99 > HEADROOM * this.latencyFactor * this.baselineNanos) {
			// Close to the bound: hold. A limit that grew until the bound was crossed
			// would spend half its windows over it, and the p99 of the whole refill with
			// them.
			return;
		}
		double step = (p99 < 0) ? IDLE_INCREASE : INCREASE;
		double grown = Math.min(this.limit * step, Math.max(2 * achieved, this.limit));
		this.limit = Math.min(this.ceiling, Math.max(this.floor, grown));
	}

	/** The limit now, entries per second. */
	long limit() {
		return (long) this.limit;
	}

	/** The foreground p99 before the refill, nanoseconds, or -1 when not known yet. */
	long baselineNanos() {
		return this.baselineNanos;
	}

	/** The foreground p99 of the last window, nanoseconds, or -1 when it was idle. */
	long lastP99Nanos() {
		return this.lastP99Nanos;
	}

}
