package io.memquorum.refill;

import java.util.function.LongSupplier;

/**
 * Bounds how fast a refill copies: at most so many entries and so many bytes per second,
 * whichever is stricter, so that foreground requests keep their latency while a node is
 * filled back.
 *
 * <p>
 * Each copied batch books its cost on a virtual schedule; the caller sleeps until the
 * schedule catches up with the clock. A refill that was idle (waiting for a listing) may
 * run ahead by at most {@link #BURST_NANOS}, so it never bursts to make up for lost time.
 * Used by one refill thread at a time; not thread-safe.
 */
final class RefillPace {

	static final long BURST_NANOS = 50_000_000L;

	private final double nanosPerEntry;

	private final double nanosPerByte;

	private final LongSupplier nanoClock;

	private final Sleeper sleeper;

	private long nextFreeNanos;

	RefillPace(long entriesPerSecond, long bytesPerSecond) {
		this(entriesPerSecond, bytesPerSecond, System::nanoTime,
				(nanos) -> Thread.sleep(nanos / 1_000_000L, (int) (nanos % 1_000_000L)));
	}

	RefillPace(long entriesPerSecond, long bytesPerSecond, LongSupplier nanoClock, Sleeper sleeper) {
		if (entriesPerSecond <= 0 || bytesPerSecond <= 0) {
			throw new IllegalArgumentException("Refill rates must be positive, got " + entriesPerSecond
					+ " entries/s and " + bytesPerSecond + " bytes/s");
		}
		this.nanosPerEntry = 1e9 / entriesPerSecond;
		this.nanosPerByte = 1e9 / bytesPerSecond;
		this.nanoClock = nanoClock;
		this.sleeper = sleeper;
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

	/** Waits; {@link Thread#sleep} outside tests. */
	@FunctionalInterface
	interface Sleeper {

		void sleep(long nanos) throws InterruptedException;

	}

}
