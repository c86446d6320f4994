package io.memquorum.refill;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The latencies of recent foreground commands, cheap enough for the hot path: one atomic
 * increment of a log-linear bucket per recorded command, no lock, no allocation.
 *
 * <p>
 * Buckets split each power of two of nanoseconds, from about 1 µs to about 17 s, into
 * four, so a percentile read from them is within 25 % of the true value, which is enough
 * to tell a refill that slows the foreground from one that does not. Counts only grow; a
 * reader takes two {@link #snapshot snapshots} and reads the percentile of their
 * difference ({@link #percentile}).
 *
 * <p>
 * When nothing else times commands (no metrics registry), the engine records one command
 * in {@link #SAMPLE_EVERY}, chosen at random, so that the clock is read for few of them.
 */
public final class LatencyHistogram {

	/** Without a metrics registry, one command in this many is timed. */
	public static final int SAMPLE_EVERY = 8;

	private static final int SUB_BUCKET_BITS = 2;

	private static final int SUB_BUCKETS = 1 << SUB_BUCKET_BITS;

	/** The smallest power of two with buckets of its own: 1,024 ns. */
	private static final int LOWEST_EXPONENT = 10;

	/** The largest: 2^34 ns, about 17 s; longer commands count in its last bucket. */
	private static final int HIGHEST_EXPONENT = 34;

	static final int BUCKETS = (HIGHEST_EXPONENT - LOWEST_EXPONENT + 1) * SUB_BUCKETS;

	private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

	/**
	 * Whether the caller should time the command it is about to send, when it has no
	 * other reason to read the clock.
	 * @return true for about one call in {@link #SAMPLE_EVERY}
	 */
	public static boolean sampled() {
		return ThreadLocalRandom.current().nextInt(SAMPLE_EVERY) == 0;
	}

	/**
	 * Count one command.
	 * @param nanos how long it took
	 */
	public void record(long nanos) {
		this.counts.incrementAndGet(bucket(nanos));
	}

	/**
	 * The counts so far, bucket by bucket; not atomic across buckets, which a percentile
	 * of thousands of commands does not notice.
	 * @return a copy of the counts
	 */
	public long[] snapshot() {
		long[] copy = new long[BUCKETS];
		for (int i = 0; i < BUCKETS; i++) {
			copy[i] = this.counts.get(i);
		}
		return copy;
	}

	static int bucket(long nanos) {
		if (nanos < (1L << LOWEST_EXPONENT)) {
			return 0;
		}
		int exponent = 63 - Long.numberOfLeadingZeros(nanos);
		if (exponent > HIGHEST_EXPONENT) {
			return BUCKETS - 1;
		}
		int sub = (int) ((nanos >>> (exponent - SUB_BUCKET_BITS)) & (SUB_BUCKETS - 1));
		return (exponent - LOWEST_EXPONENT) * SUB_BUCKETS + sub;
	}

	/** The largest latency a bucket counts, in nanoseconds. */
	static long upperBound(int bucket) {
		int exponent = bucket / SUB_BUCKETS + LOWEST_EXPONENT;
		int sub = bucket % SUB_BUCKETS;
		return ((long) (SUB_BUCKETS + sub + 1) << (exponent - SUB_BUCKET_BITS)) - 1;
	}

	/**
	 * How many commands were counted between two snapshots.
	 * @param earlier the earlier snapshot
	 * @param later the later snapshot
	 * @return the count
	 */
	public static long count(long[] earlier, long[] later) {
		long total = 0;
		for (int i = 0; i < BUCKETS; i++) {
			total += later[i] - earlier[i];
		}
		return total;
	}

	/**
	 * A percentile of the commands counted between two snapshots, as the upper bound of
	 * its bucket.
	 * @param earlier the earlier snapshot
	 * @param later the later snapshot
	 * @param quantile between 0 and 1, such as 0.99
	 * @return the latency in nanoseconds, or -1 when nothing was counted between them
	 */
	public static long percentile(long[] earlier, long[] later, double quantile) {
		long total = count(earlier, later);
		if (total == 0) {
			return -1;
		}
		long rank = (long) Math.ceil(quantile * total);
		long seen = 0;
		for (int i = 0; i < BUCKETS; i++) {
			seen += later[i] - earlier[i];
			if (seen >= Math.max(1, rank)) {
				return upperBound(i);
			}
		}
		return upperBound(BUCKETS - 1);
	}

}
