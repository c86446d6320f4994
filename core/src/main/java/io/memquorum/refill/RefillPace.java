package io.memquorum.refill;

import java.util.Locale;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

/**
 * Bounds how fast a refill copies: at most so many entries and so many bytes per second,
 * whichever is stricter, so that foreground requests keep their latency while a node is
 * filled back.
 *
 * <p>
 * Each copied batch books its cost on a virtual schedule; the caller sleeps until the
 * schedule catches up with the clock. A refill that was idle (waiting for a listing) may
 * run ahead by at most {@link #BURST_NANOS}, so it never bursts to make up for lost time.
 *
 * <p>
 * With an {@link AdaptivePace}, the entry rate is the one it chooses from the foreground
 * latency, and {@code entriesPerSecond} is its ceiling; the byte rate stays a hard bound.
 * Used by one refill thread at a time; not thread-safe.
 */
final class RefillPace {

	static final long BURST_NANOS = 50_000_000L;

	private double nanosPerEntry;

	private final double nanosPerByte;

	private final LongSupplier nanoClock;

	private final Sleeper sleeper;

	private final @Nullable AdaptivePace adaptive;

	private long nextFreeNanos;

	RefillPace(long entriesPerSecond, long bytesPerSecond) {
		this(entriesPerSecond, bytesPerSecond, null);
	}

	RefillPace(long entriesPerSecond, long bytesPerSecond, @Nullable AdaptivePace adaptive) {
		this(entriesPerSecond, bytesPerSecond, adaptive, System::nanoTime,
				(nanos) -> Thread.sleep(nanos / 1_000_000L, (int) (nanos % 1_000_000L)));
	}

	RefillPace(long entriesPerSecond, long bytesPerSecond, LongSupplier nanoClock, Sleeper sleeper) {
		this(entriesPerSecond, bytesPerSecond, null, nanoClock, sleeper);
	}

	RefillPace(long entriesPerSecond, long bytesPerSecond, @Nullable AdaptivePace adaptive, LongSupplier nanoClock,
			Sleeper sleeper) {
		if (entriesPerSecond <= 0 || bytesPerSecond <= 0) {
			throw new IllegalArgumentException("Refill rates must be positive, got " + entriesPerSecond
					+ " entries/s and " + bytesPerSecond + " bytes/s");
		}
		this.nanosPerEntry = 1e9 / entriesPerSecond;
		this.nanosPerByte = 1e9 / bytesPerSecond;
		this.nanoClock = nanoClock;
		this.sleeper = sleeper;
		this.adaptive = adaptive;
		this.nextFreeNanos = nanoClock.getAsLong() - BURST_NANOS;
	}

	/**
	 * Wait until copying {@code entries} entries of {@code bytes} bytes in all fits the
	 * rates.
	 * @param entries the entries about to be copied
	 * @param bytes their size
	 * @throws InterruptedException when the refill is being stopped
	 */
	void acquire(int entries, long bytes) throws InterruptedException {
		if (this.adaptive != null) {
			this.nanosPerEntry = 1e9 / Math.max(1, this.adaptive.entriesPerSecond(entries));
		}
		long cost = (long) Math.max(entries * this.nanosPerEntry, bytes * this.nanosPerByte);
		long now = this.nanoClock.getAsLong();
		if (this.nextFreeNanos - (now - BURST_NANOS) < 0) {
			this.nextFreeNanos = now - BURST_NANOS;
		}
		this.nextFreeNanos += cost;
		long wait = this.nextFreeNanos - now;
		if (wait > 0) {
			this.sleeper.sleep(wait);
		}
	}

	/**
	 * The entry rate now.
	 * @return entries per second
	 */
	long entriesPerSecond() {
		return Math.round(1e9 / this.nanosPerEntry);
	}

	/**
	 * The entry rate the next batch will be paced at: the adaptive limit as it stands, or
	 * the fixed rate.
	 * @return entries per second
	 */
	long limitNow() {
		return (this.adaptive != null) ? this.adaptive.limit() : entriesPerSecond();
	}

	/**
	 * What the pace is now, for the progress line.
	 * @return for example "adaptive 60,000 entries/s (foreground p99 0.62 ms, 0.48 ms
	 * before)"
	 */
	String describe() {
		if (this.adaptive == null) {
			return String.format(Locale.ROOT, "fixed %,d entries/s", entriesPerSecond());
		}
		return String.format(Locale.ROOT, "adaptive %,d entries/s (foreground p99 %s, %s before)",
				this.adaptive.limit(), millis(this.adaptive.lastP99Nanos()), millis(this.adaptive.baselineNanos()));
	}

	private static String millis(long nanos) {
		return (nanos < 0) ? "unknown" : String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
	}

	/** Waits; {@link Thread#sleep} outside tests. */
	@FunctionalInterface
	interface Sleeper {

		void sleep(long nanos) throws InterruptedException;

	}

}
